/**
 * Recognition shared by the rules for column-level ALTER TABLE subcommands (`ALTER COLUMN c SET NOT NULL`,
 * `… DROP DEFAULT`…): they all act on one column of the enclosing table.
 */
import type { AlterTableCmd } from 'libpg-query';
import { qualify } from './ast.js';
import { displayName } from './naming.js';
import type { RecogniseContext } from './rule.js';
import type { ChangeDraft, QualifiedName } from './types.js';

export interface ColumnCommand {
  table: QualifiedName;
  /** The enclosing ALTER's object type (OBJECT_TABLE, OBJECT_FOREIGN_TABLE…), for the rollback's ALTER. */
  relationKind: string | undefined;
  column: string;
}

export function recogniseColumnCommand(command: AlterTableCmd, context: RecogniseContext): ChangeDraft<ColumnCommand> | undefined {
  if (!command.name) return undefined;
  const table = qualify(context.alterTable?.relation, context.defaultSchema);
  return {
    object: displayName(table, command.name),
    details: { table, relationKind: context.alterTable?.objtype, column: command.name },
    target: { table, columns: [command.name] },
  };
}
