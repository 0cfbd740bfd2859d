import type { AlterTableCmd } from 'libpg-query';
import { findColumn } from '../../catalog/lookup.js';
import { ask, howDecided, unanswered } from '../data.js';
import { recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';

export const dropNotNull = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'drop-not-null',
  kind: 'drop_not_null',
  title: 'DROP NOT NULL',
  explain: `DROP NOT NULL is rolled back by SET NOT NULL. Right after the migration no NULL has been written,
so that works; once the new application writes NULLs into the column, SET NOT NULL fails until they are
replaced (the data check "are there NULLs?" decides). The inverse assumes the column was NOT NULL
before the migration; the prior schema confirms it.`,
  on: ['AlterTableCmd:AT_DropNotNull'],
  recognise: recogniseColumnCommand,
  dataCheck: ({ details }, state, probes) =>
    state === 'applied' ? ask(`Does ${details.column} hold NULLs?`, probes.nullsPresent(details.table, details.column)) : undefined,
  assess({ details }, { prior, data }) {
    const setNotNull = step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} SET NOT NULL;`, 'after-app');
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
    const column = prior ? findColumn(prior, details.table, details.column) : undefined;
    if (column && !column.notNull) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} was already nullable: nothing to undo.`, rollback: [] };
    }
    return {
      verdict: 'safe',
      evidence: column ? 'catalog' : 'static',
      reason: `${details.column} becomes nullable; SET NOT NULL undoes it while no NULL has been written (the data check decides once the application writes).`,
      rollback: [
        step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} SET NOT NULL;`, 'after-app'),
      ],
    };
  },
});
