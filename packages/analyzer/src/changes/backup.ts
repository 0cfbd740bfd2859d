/**
 * Backups for risky rollbacks (the seed: "Backup table first", "BACKUP TABLE orders"): the data a rollback
 * step would destroy is copied into the `migcheck_backup` schema first, and a restore statement is given.
 * A column is copied with the table's primary key, so it can be written back row by row.
 */
import { quoteIdent, sqlName } from '../sql/quote.js';
import { fittedIdentifier, type QualifiedName } from '../sql/name.js';
import { step } from './rule.js';
import type { RollbackStep } from './types.js';
import { findTable } from '../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../catalog/snapshot.js';

export const BACKUP_SCHEMA = 'migcheck_backup';

export interface Backup {
  /** Run before the destructive step. */
  steps: RollbackStep[];
  /** How to put the data back, for the report's notes. */
  restore: string;
}

/** The backup table of a table, or of one of its columns (the rollback's verification queries look it up). */
export function backupTableName(table: QualifiedName, column?: string): QualifiedName {
  // Postgres would truncate a long `table__column` to 63 bytes: two backups could then collide.
  return { schema: BACKUP_SCHEMA, name: fittedIdentifier(column ? `${table.name}__${column}` : table.name) };
}

function backupName(table: QualifiedName, column?: string): string {
  return sqlName(backupTableName(table, column));
}

const createSchema = step(`CREATE SCHEMA IF NOT EXISTS ${BACKUP_SCHEMA};`, 'after-app');

/** The primary key columns of a table in a snapshot (from pg_get_constraintdef: `PRIMARY KEY (a, b)`). */
export function primaryKeyColumns(snapshot: SchemaSnapshot | undefined, table: QualifiedName): string[] | undefined {
  if (!snapshot || !findTable(snapshot, table)) return undefined;
  const prefix = `${qualifiedName(table.schema, table.name)}.`;
  const key = Object.entries(snapshot.constraints).find(([name, constraint]) => name.startsWith(prefix) && constraint.type === 'primary key')?.[1];
  const columns = key ? /^PRIMARY KEY \((.*)\)/.exec(key.definition)?.[1] : undefined;
  return columns?.split(', ').map((column) => (column.startsWith('"') ? column.slice(1, -1).replace(/""/g, '"') : column));
}

export function backupColumn(table: QualifiedName, column: string, keyColumns: string[] | undefined): Backup {
  const backup = backupName(table, column);
  const source = sqlName(table);
  if (!keyColumns || keyColumns.length === 0) {
    return {
      steps: [createSchema, step(`CREATE TABLE ${backup} AS SELECT * FROM ${source} WHERE ${quoteIdent(column)} IS NOT NULL;`, 'after-app')],
      restore: `${source} has no primary key: ${backup} holds the whole rows that had a value; match them to the table by hand to restore ${column}.`,
    };
  }
  const keys = keyColumns.map(quoteIdent);
  return {
    steps: [createSchema, step(`CREATE TABLE ${backup} AS SELECT ${[...keys, quoteIdent(column)].join(', ')} FROM ${source} WHERE ${quoteIdent(column)} IS NOT NULL;`, 'after-app')],
    restore: `To restore: re-add the column, then UPDATE ${source} AS t SET ${quoteIdent(column)} = b.${quoteIdent(column)} FROM ${backup} AS b WHERE ${keys.map((key) => `t.${key} = b.${key}`).join(' AND ')};`,
  };
}

export function backupTable(table: QualifiedName): Backup {
  const backup = backupName(table);
  return {
    steps: [createSchema, step(`CREATE TABLE ${backup} AS TABLE ${sqlName(table)};`, 'after-app')],
    restore: `To restore: recreate the table (re-run the migration), then INSERT INTO ${sqlName(table)} SELECT * FROM ${backup};`,
  };
}
