import type { AlterTableCmd } from 'libpg-query';
import { findColumn } from '../../catalog/lookup.js';
import { ask, howDecided, unanswered } from '../data.js';
import { recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation } from '../sql.js';

export const dropNotNull = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'drop-not-null',
  kind: 'drop_not_null',
  readsPrior: true,
  probes: ['nullsPresent'],
  title: 'DROP NOT NULL',
  explain: `DROP NOT NULL is rolled back by SET NOT NULL. Right after the migration no NULL has been written,
so that works; once the new application writes NULLs into the column, SET NOT NULL fails until they are
replaced (the data check "are there NULLs?" decides). The inverse holds only if the column was NOT NULL
before the migration, which the prior schema shows: without it the statement may be a no-op, so the change
is risky and its rollback is left to the reader (INCOMPLETE, with the recipe).`,
  examples: [
    { sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_DropNotNull'],
  recognise: recogniseColumnCommand,
  dataCheck: ({ details }, state, probes) =>
    state === 'applied' ? ask(`Does ${details.column} hold NULLs?`, probes.nullsPresent(details.table, details.column)) : undefined,
  assess({ details }, { prior, data }) {
    const setNotNull = step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} SET NOT NULL;`, 'after-app');
    const column = prior ? findColumn(prior, details.table, details.column) : undefined;
    if (column && !column.notNull) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} was already nullable: nothing to undo.`, rollback: [] };
    }
    if (!column) {
      // The statement may be a no-op: SET NOT NULL would then constrain a column that never was.
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `${details.column} becomes nullable, but it may already have been nullable (${prior ? 'the column is not in the prior schema' : PRIOR_STATE_UNKNOWN}): SET NOT NULL would then change what the migration left as it was.`,
        rollback: [],
        notes: [`If ${details.column} was NOT NULL before the migration, the rollback is: ${setNotNull.sql}`],
      };
    }
    if (data?.finding.answer === 'no') {
      return { verdict: 'safe', evidence: 'data', reason: `${details.column} holds no NULLs (${howDecided(data)}): SET NOT NULL restores the constraint.`, rollback: [setNotNull] };
    }
    if (data) {
      return {
        verdict: 'risky',
        evidence: 'data',
        reason: data.finding.answer === 'yes' ? `${details.column} holds NULLs (${howDecided(data)}): SET NOT NULL fails until they are replaced.` : unanswered(data),
        rollback: [setNotNull],
      };
    }
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `${details.column} becomes nullable; SET NOT NULL undoes it while no NULL has been written (the data check decides once the application writes).`,
      rollback: [setNotNull],
    };
  },
});
