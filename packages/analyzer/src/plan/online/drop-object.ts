/**
 * `DROP TABLE t`, `DROP VIEW v`, `DROP FUNCTION f(…)`, … → the same with `IF EXISTS`, so the script can run
 * again after it stopped past this step. Catalog only: ACCESS EXCLUSIVE on the object, brief once granted (it
 * still waits behind the lock queue; lock_timeout bounds that). No online form exists for a drop.
 */
import type { DropStmt } from 'libpg-query';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { bare, dottedName, insertAt, tokens } from './sql.js';

/** How many keywords name each object type after DROP (`DROP MATERIALIZED VIEW` → 2). */
const TYPE_WORDS: Readonly<Record<string, number>> = {
  OBJECT_TABLE: 1,
  OBJECT_VIEW: 1,
  OBJECT_MATVIEW: 2,
  OBJECT_FOREIGN_TABLE: 2,
  OBJECT_SEQUENCE: 1,
  OBJECT_FUNCTION: 1,
  OBJECT_PROCEDURE: 1,
  OBJECT_ROUTINE: 1,
  OBJECT_AGGREGATE: 1,
  OBJECT_TYPE: 1,
  OBJECT_DOMAIN: 1,
  OBJECT_SCHEMA: 1,
  OBJECT_EXTENSION: 1,
  OBJECT_TRIGGER: 1,
  OBJECT_POLICY: 1,
  OBJECT_RULE: 1,
  OBJECT_COLLATION: 1,
  OBJECT_STATISTIC_EXT: 1,
  OBJECT_EVENT_TRIGGER: 2,
};

/** Kinds whose drop locks a table (the table itself, or the one a trigger, policy or rule is on). */
const ON_TABLE = new Set(['OBJECT_TABLE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);

export const dropObject: OnlineForm = {
  kind: 'DROP',
  online(statement) {
    const drop = (statement.node as { DropStmt?: DropStmt }).DropStmt;
    const words = drop?.removeType ? TYPE_WORDS[drop.removeType] : undefined;
    if (!drop || words === undefined || drop.concurrent) return undefined;
    let sql = bare(statement.text);
    if (!drop.missing_ok) {
      const list = tokens(sql);
      // DROP, then the type's keywords: IF EXISTS goes right after them.
      const last = list[words];
      if (list[0]?.text.toUpperCase() !== 'DROP' || !last) return undefined;
      sql = insertAt(sql, last.end, ' IF EXISTS');
    }
    const names = (drop.objects ?? []).map(dottedName);
    const tables = drop.removeType === 'OBJECT_TABLE' || drop.removeType === 'OBJECT_FOREIGN_TABLE';
    const named = names.every((name) => name !== undefined) ? names.join(', ') : 'the object';
    const lock = tables
      ? `${LOCKS.accessExclusive} on ${named} (and on the tables its foreign keys reference)`
      : `${LOCKS.accessExclusive} on ${ON_TABLE.has(drop.removeType!) ? 'its table' : named}`;
    return [{ sql: `${sql};`, transactional: true, lock, effect: `${BRIEF}; no online form for a drop (it waits behind the lock queue)`, scans: false }];
  },
};
