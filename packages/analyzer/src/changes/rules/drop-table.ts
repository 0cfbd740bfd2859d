import type { DropStmt } from 'libpg-query';
import { createTable } from '../../catalog/ddl.js';
import { findTable, relatedTo } from '../../catalog/lookup.js';
import { qualifyNames } from '../ast.js';
import { ask, howDecided } from '../data.js';
import { displayName } from '../naming.js';
import { defineRule, FORWARD_FIX_OPTIONS, step } from '../rule.js';
import { listItems } from '../sql.js';
import type { QualifiedName } from '../../sql/name.js';

interface DropTable {
  table: QualifiedName;
  ifExists: boolean;
  cascade: boolean;
}

export const dropTable = defineRule<DropStmt, DropTable>({
  id: 'drop-table',
  kind: 'drop_table',
  readsPrior: true,
  probes: ['tableHoldsRows'],
  title: 'Dropped table',
  seed: 'Like a dropped column (CANNOT Rollback: Data already lost. Forward fix ONLY. Options: 1. Restore from backup 2. Accept data loss 3. Recreate from logs), for every column of the table at once.',
  explain: `A dropped table cannot be rolled back: its rows are gone the moment the migration runs. Its
definition can be recreated, but not its data, so the only way on is a forward fix: restore the data
from a backup, accept the loss, or recreate it from logs. Before the deploy, the data check "does the
table hold rows?" tells whether anything would be lost.`,
  examples: [
    { sql: 'DROP TABLE orders;', verdict: 'irreversible' },
  ],
  on: ['DropStmt'],
  recognise(drop, context) {
    if (drop.removeType !== 'OBJECT_TABLE') return undefined;
    return (drop.objects ?? []).map((object) => {
      const table = qualifyNames(listItems(object), context.defaultSchema);
      return {
        object: displayName(table),
        details: { table, ifExists: drop.missing_ok === true, cascade: drop.behavior === 'DROP_CASCADE' },
        target: { table },
      };
    });
  },
  dataCheck: ({ details }, state, probes) =>
    // Before the deploy: is the table about to be dropped empty? Then dropping it loses nothing.
    state === 'pending' ? ask(`Does ${details.table.name} hold rows?`, probes.tableHoldsRows(details.table)) : undefined,
  assess({ details }, { prior, data }) {
    if (details.table.schema === 'pg_temp') {
      return { verdict: 'safe', evidence: 'static', reason: `${details.table.name} is a temporary table of the migration's session: dropping it loses nothing that outlives the session.`, rollback: [] };
    }
    const cascade = details.cascade ? ' CASCADE also drops the views and foreign keys that depend on it.' : '';
    const table = prior ? findTable(prior, details.table) : undefined;
    if (prior && !table && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.table.name} did not exist before this migration: DROP TABLE IF EXISTS did nothing.`, rollback: [] };
    }
    // The prior schema gives the table's shape back, never its rows.
    const definition = table && prior ? createTable(table, relatedTo(prior, details.table)).map((sql) => step(sql, 'before-app')) : [];
    if (data?.finding.answer === 'no' && table && !details.cascade) {
      return {
        verdict: 'safe',
        evidence: 'data',
        reason: `${details.table.name} holds no rows today (${howDecided(data)}): dropping it loses nothing, and its definition can be recreated. Check again right before the deploy if the application still writes to it.`,
        rollback: definition,
      };
    }
    return {
      verdict: 'irreversible',
      evidence: data?.finding.answer === 'yes' ? 'data' : table ? 'catalog' : 'static',
      reason: `Dropping table ${details.table.name} destroys its rows: it cannot be rolled back, forward fix only.${table ? ' Its definition can be recreated (rollback), not its rows.' : ''}${cascade}`,
      rollback: definition,
      options: FORWARD_FIX_OPTIONS,
    };
  },
});
