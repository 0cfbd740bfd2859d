import type { RenameStmt } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface RenameTable {
  table: QualifiedName;
  to: string;
  /** ALTER TABLE IF EXISTS: the statement may have done nothing. */
  ifExists: boolean;
}

export const renameTable = defineRule<RenameStmt, RenameTable>({
  id: 'rename-table',
  kind: 'rename_table',
  readsPrior: false,
  title: 'Renamed table',
  explain: `A renamed table is rolled back by renaming it back; no data moves. The old application uses
the old name, so the rename back runs before (or together with) deploying the old application version.
ALTER TABLE IF EXISTS is risky: if the table did not exist, the rename did nothing, and renaming back would
rename another table of the new name.`,
  examples: [
    { sql: 'ALTER TABLE users RENAME TO people;', verdict: 'safe' },
    { sql: 'ALTER TABLE IF EXISTS users RENAME TO people;', verdict: 'risky' },
  ],
  on: ['RenameStmt'],
  recognise(rename, context) {
    if (rename.renameType !== 'OBJECT_TABLE' || !rename.newname) return undefined;
    const table = qualify(rename.relation, context.defaultSchema);
    return { object: displayName(table), details: { table, to: rename.newname, ifExists: rename.missing_ok === true }, target: { table } };
  },
  assess({ details }) {
    if (details.table.schema === 'pg_temp') {
      return { verdict: 'safe', evidence: 'static', reason: `${details.table.name} is a temporary table of the migration's session: the rename does not outlive it.`, rollback: [] };
    }
    const renamed = { schema: details.table.schema, name: details.to };
    const renameBack = step(`ALTER TABLE ${sqlName(renamed)} RENAME TO ${quoteIdent(details.table.name)};`, 'before-app');
    // Like CREATE … IF NOT EXISTS: if the table did not exist, the statement did nothing, and renaming back would
    // rename another table of the new name (or fail).
    if (details.ifExists) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `ALTER TABLE IF EXISTS: ${details.table.name} may not have existed, so the rename may have done nothing; renaming ${details.to} back would then rename another table.`,
        rollback: [renameBack],
      };
    }
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `Renaming table ${details.table.name} to ${details.to} is undone by renaming it back; no data changes.`,
      rollback: [renameBack],
    };
  },
});
