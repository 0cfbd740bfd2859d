import type { DropStmt } from 'libpg-query';
import { qualifyNames } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN } from '../rule.js';
import { listItems } from '../sql.js';
import type { QualifiedName } from '../types.js';

interface DropIndex {
  index: QualifiedName;
  concurrently: boolean;
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
      return { object: displayName(index), details: { index, concurrently: drop.concurrent === true } };
    });
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Index ${details.index.name} is dropped; it held no data and can be rebuilt, but ${PRIOR_STATE_UNKNOWN}, so the CREATE INDEX cannot be written.`,
      rollback: [],
    };
  },
});
