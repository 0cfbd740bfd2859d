import type { RenameStmt } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface RenameTable {
  table: QualifiedName;
  to: string;
}

export const renameTable = defineRule<RenameStmt, RenameTable>({
  id: 'rename-table',
  kind: 'rename_table',
  title: 'Renamed table',
  explain: `A renamed table is rolled back by renaming it back; no data moves. The old application uses
the old name, so the rename back runs before (or together with) deploying the old application version.`,
  on: ['RenameStmt'],
  recognise(rename, context) {
    if (rename.renameType !== 'OBJECT_TABLE' || !rename.newname) return undefined;
    const table = qualify(rename.relation, context.defaultSchema);
    return { object: displayName(table), details: { table, to: rename.newname }, target: { table } };
  },
  assess({ details }) {
    if (details.table.schema === 'pg_temp') {
      return { verdict: 'safe', evidence: 'static', reason: `${details.table.name} is a temporary table of the migration's session: the rename does not outlive it.`, rollback: [] };
    }
    const renamed = { schema: details.table.schema, name: details.to };
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `Renaming table ${details.table.name} to ${details.to} is undone by renaming it back; no data changes.`,
      rollback: [step(`ALTER TABLE ${sqlName(renamed)} RENAME TO ${quoteIdent(details.table.name)};`, 'before-app')],
    };
  },
});
