import type { AlterTableCmd } from 'libpg-query';
import { findColumn } from '../../catalog/lookup.js';
import { recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation } from '../sql.js';

export const setNotNull = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'set-not-null',
  kind: 'set_not_null',
  readsPrior: true,
  title: 'SET NOT NULL',
  explain: `SET NOT NULL is rolled back by DROP NOT NULL, before the old application version is deployed
(it may insert NULLs). Relaxing a constraint loses no data. The inverse holds only if the column was
nullable before the migration, which the prior schema shows: without it the statement may be a no-op, so
the change is risky and its rollback is left to the reader (INCOMPLETE, with the recipe).`,
  examples: [
    { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_SetNotNull'],
  recognise: recogniseColumnCommand,
  assess({ details }, { prior }) {
    const dropNotNull = step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} DROP NOT NULL;`, 'before-app');
    const column = prior ? findColumn(prior, details.table, details.column) : undefined;
    if (column && column.notNull) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} was already NOT NULL: nothing to undo.`, rollback: [] };
    }
    if (!column) {
      // The statement may be a no-op: DROP NOT NULL would then leave nullable a column that never was.
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `${details.column} becomes NOT NULL, but it may already have been NOT NULL (${prior ? 'the column is not in the prior schema' : PRIOR_STATE_UNKNOWN}): DROP NOT NULL would then change what the migration left as it was.`,
        rollback: [],
        notes: [`If ${details.column} was nullable before the migration, the rollback is: ${dropNotNull.sql}`],
      };
    }
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `${details.column} becomes NOT NULL; DROP NOT NULL undoes it and loses no data. Run it before deploying the old application version, which may insert NULLs.`,
      rollback: [dropNotNull],
    };
  },
});
