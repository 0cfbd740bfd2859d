/**
 * `DROP INDEX i` → `DROP INDEX CONCURRENTLY IF EXISTS i`, one index per statement (CONCURRENTLY takes one):
 * it waits for the transactions using the index instead of blocking the table (SHARE UPDATE EXCLUSIVE).
 * With CASCADE there is no concurrent form: `DROP INDEX IF EXISTS … CASCADE` under ACCESS EXCLUSIVE, brief.
 */
import type { DropStmt } from 'libpg-query';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { dottedKey, dottedName } from './sql.js';

export const dropIndex: OnlineForm = {
  kind: 'DROP INDEX',
  online(statement, context) {
    const drop = (statement.node as { DropStmt?: DropStmt }).DropStmt;
    if (drop?.removeType !== 'OBJECT_INDEX') return undefined;
    const names = (drop.objects ?? []).map(dottedName);
    if (names.length === 0 || names.some((name) => name === undefined)) return undefined;
    // Postgres drops no index of a partitioned table CONCURRENTLY.
    const onPartitioned = (drop.objects ?? []).some((object) => {
      const table = context.tableOfIndex(dottedKey(object) ?? '');
      return table !== undefined && context.isPartitioned(table);
    });
    if (onPartitioned) {
      return [
        {
          sql: `DROP INDEX IF EXISTS ${names.join(', ')}${drop.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''};`,
          transactional: true,
          lock: `${LOCKS.accessExclusive} on the partitioned table of ${names.join(', ')} and its partitions`,
          effect: `${BRIEF}; no CONCURRENTLY on a partitioned table`,
          scans: false,
        },
      ];
    }
    if (drop.behavior === 'DROP_CASCADE') {
      return [
        {
          sql: `DROP INDEX IF EXISTS ${names.join(', ')} CASCADE;`,
          transactional: true,
          lock: `${LOCKS.accessExclusive} on the table of ${names.join(', ')} and on what depends on it`,
          effect: `${BRIEF}; no online form with CASCADE`,
          scans: false,
        },
      ];
    }
    return names.map((name) => ({
      sql: `DROP INDEX CONCURRENTLY IF EXISTS ${name!};`,
      transactional: false,
      lock: `${LOCKS.shareUpdateExclusive} on the table of ${name!}`,
      effect: 'waits for the transactions that use the index, reads and writes continue',
      scans: false,
    }));
  },
};
