import type { DropStmt } from 'libpg-query';
import { commentOn, createIndex } from '../../catalog/ddl.js';
import { findIndex } from '../../catalog/lookup.js';
import { qualifyNames } from '../ast.js';
import { displayName, sqlName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { listItems } from '../sql.js';
import type { QualifiedName } from '../types.js';

interface DropIndex {
  index: QualifiedName;
  concurrently: boolean;
  ifExists: boolean;
}

export const dropIndex = defineRule<DropStmt, DropIndex>({
  id: 'drop-index',
  kind: 'drop_index',
  title: 'Dropped index',
  explain: `A dropped index held no data, so it can always be rebuilt, from its definition as it was before
the migration (pg_get_indexdef of the prior schema). The statement alone does not show that definition:
without the prior schema the rollback cannot be written, and the change is risky. Rebuilding a unique
index fails if duplicates were written after the drop (the data check finds them).`,
  on: ['DropStmt'],
  recognise(drop, context) {
    if (drop.removeType !== 'OBJECT_INDEX') return undefined;
    return (drop.objects ?? []).map((object) => {
      const index = qualifyNames(listItems(object), context.defaultSchema);
      return { object: displayName(index), details: { index, concurrently: drop.concurrent === true, ifExists: drop.missing_ok === true } };
    });
  },
  assess({ details }, { prior }) {
    const index = prior ? findIndex(prior, details.index) : undefined;
    if (prior && !index && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.index.name} did not exist before this migration: DROP INDEX IF EXISTS did nothing.`, rollback: [] };
    }
    if (!index) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: prior
          ? `Index ${details.index.name} is not in the prior schema, so its definition is unknown and it cannot be rebuilt.`
          : `Index ${details.index.name} is dropped; it held no data and can be rebuilt, but ${PRIOR_STATE_UNKNOWN}, so the CREATE INDEX cannot be written.`,
        rollback: [],
      };
    }
    const unique = /^CREATE UNIQUE /.test(index.definition);
    const rollback = [
      step(createIndex(index, details.concurrently), 'before-app', !details.concurrently),
      ...(index.comment !== null ? [step(commentOn('INDEX', sqlName(details.index), index.comment), 'before-app')] : []),
    ];
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `Index ${details.index.name} held no data: it is rebuilt from its prior definition.${unique ? ' A unique index fails to rebuild once duplicates are written (the data check finds them).' : ''}`,
      rollback,
    };
  },
});
