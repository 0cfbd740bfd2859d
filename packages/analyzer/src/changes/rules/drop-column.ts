import type { AlterTableCmd } from 'libpg-query';
import { columnDefinition, commentOn } from '../../catalog/ddl.js';
import { findColumn } from '../../catalog/lookup.js';
import { qualify } from '../ast.js';
import { ask, howDecided } from '../data.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, FORWARD_FIX_OPTIONS, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface DropColumn {
  table: QualifiedName;
  column: string;
  ifExists: boolean;
  cascade: boolean;
}

export const dropColumn = defineRule<AlterTableCmd, DropColumn>({
  id: 'drop-column',
  kind: 'drop_column',
  readsPrior: true,
  probes: ['columnHoldsData'],
  title: 'Dropped column',
  seed: 'Dropped Column → CANNOT Rollback: Data already lost. Forward fix ONLY. Options: 1. Restore from backup 2. Accept data loss 3. Recreate from logs.',
  explain: `A dropped column cannot be rolled back: its data is gone the moment the migration runs. The
column's definition can be recreated, but not its values, so the only way on is a forward fix. The
options that remain are: restore the data from a backup, accept the loss, or recreate the values from
logs. Before the deploy, the data check "does the column hold data?" tells whether anything would be
lost: a column that is empty then (plan --database-url, migration pending) is safe to drop, since its
definition comes back from the prior schema. The safe pattern is to stop using the column in one
release and drop it in a later one, after a backup.`,
  examples: [
    { sql: 'ALTER TABLE users DROP COLUMN phone;', verdict: 'irreversible' },
  ],
  on: ['AlterTableCmd:AT_DropColumn'],
  recognise(command, context) {
    if (!command.name) return undefined;
    // ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE arrives as the same subcommand on a composite type.
    if (context.alterTable?.objtype === 'OBJECT_TYPE') return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return {
      object: displayName(table, command.name),
      details: {
        table,
        column: command.name,
        ifExists: command.missing_ok === true,
        cascade: command.behavior === 'DROP_CASCADE',
      },
      target: { table, columns: [command.name] },
    };
  },
  dataCheck: ({ details }, state, probes) =>
    // Before the deploy: is the column about to be dropped empty? Then dropping it loses nothing.
    state === 'pending' ? ask(`Does ${details.column} hold data?`, probes.columnHoldsData(details.table, details.column)) : undefined,
  assess({ details }, { prior, data }) {
    const cascade = details.cascade ? ' CASCADE also drops the views and constraints that depend on it.' : '';
    const column = prior ? findColumn(prior, details.table, details.column) : undefined;
    if (prior && !column && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.column} did not exist before this migration: DROP COLUMN IF EXISTS did nothing.`, rollback: [] };
    }
    // The prior schema gives the definition back, never the values.
    const definition = column
      ? [
          step(`ALTER TABLE ${sqlName(details.table)} ADD COLUMN ${columnDefinition(column)};`, 'before-app'),
          ...(column.comment !== null ? [step(commentOn('COLUMN', `${sqlName(details.table)}.${quoteIdent(column.name)}`, column.comment), 'before-app')] : []),
        ]
      : [];
    if (data?.finding.answer === 'no' && column && !details.cascade) {
      return {
        verdict: 'safe',
        evidence: 'data',
        reason: `${details.column} holds no data today (${howDecided(data)}): dropping it loses nothing, and its definition can be re-added. Check again right before the deploy if the application still writes to it.`,
        rollback: definition,
      };
    }
    return {
      verdict: 'irreversible',
      evidence: data?.finding.answer === 'yes' ? 'data' : column ? 'catalog' : 'static',
      reason: `Dropping column ${details.column} destroys its data${data?.finding.answer === 'yes' ? ` (it holds data: ${howDecided(data)})` : ''}: it cannot be rolled back, forward fix only.${column ? ' Its definition can be recreated (rollback), not its values.' : ''}${cascade}`,
      rollback: definition,
      options: FORWARD_FIX_OPTIONS,
    };
  },
});
