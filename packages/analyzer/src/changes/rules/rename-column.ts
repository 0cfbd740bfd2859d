import type { RenameStmt } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { QualifiedName } from '../../sql/name.js';

interface RenameColumn {
  table: QualifiedName;
  relationKind: string | undefined;
  from: string;
  to: string;
}

export const renameColumn = defineRule<RenameStmt, RenameColumn>({
  id: 'rename-column',
  kind: 'rename_column',
  readsPrior: false,
  title: 'Renamed column',
  explain: `A renamed column is rolled back by renaming it back; no data moves. The old application uses
the old name, so the rename back runs before (or together with) deploying the old application version.
Note for the forward direction: a rename breaks every running instance of the old application at once;
the expand/contract pattern (add the new column, copy, switch, drop later) avoids that.`,
  examples: [
    { sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;', verdict: 'safe' },
  ],
  on: ['RenameStmt'],
  recognise(rename, context) {
    if (rename.renameType !== 'OBJECT_COLUMN' || !rename.subname || !rename.newname) return undefined;
    const table = qualify(rename.relation, context.defaultSchema);
    return {
      object: displayName(table, rename.subname),
      details: { table, relationKind: rename.relationType, from: rename.subname, to: rename.newname },
      target: { table, columns: [rename.subname] },
    };
  },
  assess({ details }) {
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `Renaming ${details.from} to ${details.to} is undone by renaming it back; no data changes.`,
      rollback: [
        step(
          `${alterRelation(details.relationKind)} ${sqlName(details.table)} RENAME COLUMN ${quoteIdent(details.to)} TO ${quoteIdent(details.from)};`,
          'before-app',
        ),
      ],
    };
  },
});
