/**
 * Recognition shared by the rules for column-level ALTER TABLE subcommands (`ALTER COLUMN c SET NOT NULL`,
 * `… DROP DEFAULT`…): they all act on one column of the enclosing table.
 */
import type { AlterTableCmd } from 'libpg-query';
import { qualify } from './ast.js';
import { quoteIdent, sqlName } from '../sql/quote.js';
import { displayName } from './naming.js';
import { findColumn } from '../catalog/lookup.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { PRIOR_STATE_UNKNOWN, step, type RecogniseContext } from './rule.js';
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

/**
 * SET DEFAULT and DROP DEFAULT change no stored data; their rollback restores the prior default, which
 * only the prior schema shows.
 */
export function assessDefaultChange(command: ColumnCommand, prior: SchemaSnapshot | undefined, what: 'changes' | 'is dropped'): Assessment {
  const column = prior ? findColumn(prior, command.table, command.column) : undefined;
  if (!column) {
    return {
      verdict: 'risky',
      evidence: prior ? 'catalog' : 'static',
      reason: `The default of ${command.column} ${what}; no stored data changes, but ${prior ? 'the column is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so the previous default cannot be restored.`,
      rollback: [],
    };
  }
  return restoreDefault(command, column.default);
}

/** The rollback of a changed or dropped default: the prior default again, or none. Runs before the old app is deployed. */
function restoreDefault(command: ColumnCommand, priorDefault: string | null): Assessment {
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
