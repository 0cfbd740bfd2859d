import type { AlterTableCmd } from 'libpg-query';
import { findColumn } from '../../catalog/lookup.js';
import { recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';

export const setNotNull = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'set-not-null',
  kind: 'set_not_null',
  title: 'SET NOT NULL',
  explain: `SET NOT NULL is rolled back by DROP NOT NULL, before the old application version is deployed
(it may insert NULLs). Relaxing a constraint loses no data. The inverse assumes the column was
nullable before the migration; the prior schema confirms it.`,
  on: ['AlterTableCmd:AT_SetNotNull'],
  recognise: recogniseColumnCommand,
  assess({ details }, { prior }) {
    const column = prior ? findColumn(prior, details.table, details.column) : undefined;
    if (column && column.notNull) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} was already NOT NULL: nothing to undo.`, rollback: [] };
    }
    return {
      verdict: 'safe',
      evidence: column ? 'catalog' : 'static',
      reason: `${details.column} becomes NOT NULL; DROP NOT NULL undoes it and loses no data. Run it before deploying the old application version, which may insert NULLs.`,
      rollback: [
        step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} DROP NOT NULL;`, 'before-app'),
      ],
    };
  },
});
