/**
 * Recognition shared by the rules for column-level ALTER TABLE subcommands (`ALTER COLUMN c SET NOT NULL`,
 * `… DROP DEFAULT`…): they all act on one column of the enclosing table.
 */
import type { AlterTableCmd } from 'libpg-query';
import { qualify } from './ast.js';
import { displayName, quoteIdent, sqlName } from './naming.js';
import { step, type RecogniseContext } from './rule.js';
import { alterRelation } from './sql.js';
import type { Assessment, ChangeDraft, QualifiedName } from './types.js';

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

/** The rollback of a changed or dropped default: the prior default again, or none. Runs before the old app is deployed. */
export function restoreDefault(command: ColumnCommand, priorDefault: string | null): Assessment {
  const alter = `${alterRelation(command.relationKind)} ${sqlName(command.table)} ALTER COLUMN ${quoteIdent(command.column)}`;
  return {
    verdict: 'safe',
    evidence: 'catalog',
    reason:
      priorDefault === null
        ? `${command.column} had no default before this migration: DROP DEFAULT restores that. No stored data changes.`
        : `${command.column}'s default was ${priorDefault}: SET DEFAULT restores it. No stored data changes.`,
    rollback: [step(priorDefault === null ? `${alter} DROP DEFAULT;` : `${alter} SET DEFAULT ${priorDefault};`, 'before-app')],
  };
}
