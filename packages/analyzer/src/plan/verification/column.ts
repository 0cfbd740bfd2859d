/**
 * Columns: one the rollback restores (a type, NOT NULL or default change reverted, a rename undone) must be there
 * with the type, nullability and default it had before the migrations; one it drops (an added column, the new
 * name of a renamed one) must be gone.
 */
import { findColumn } from '../../catalog/lookup.js';
import type { ColumnInfo } from '../../catalog/snapshot.js';
import type { ChangeKind, QualifiedName } from '../../changes/types.js';
import { quoteLiteral } from '../../sql/quote.js';
import { unverified, type Claim, type ClaimsOf } from './claim.js';
import { checkQuery, differsFrom, nameLiteral, objectKey, oneRowJoin, relationMatches } from './query.js';

const RESTORES_COLUMN: ReadonlySet<ChangeKind> = new Set(['alter_column_type', 'set_not_null', 'drop_not_null', 'set_default', 'drop_default']);

const ATTRIBUTE_JOIN =
  'pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace';

function columnMatches(table: QualifiedName, column: string): string {
  return `${relationMatches(table)} AND a.attname = ${nameLiteral(column)} AND a.attnum > 0 AND NOT a.attisdropped`;
}

export function columnKey(table: QualifiedName, column: string): string {
  return objectKey('column', table.schema, table.name, column);
}

function objectName(table: QualifiedName, column: string): string {
  return `${table.schema}.${table.name}.${column}`;
}

/** A row when the column is missing, or its type, NOT NULL or default differs from `expected`. */
export function columnRestoredQuery(table: QualifiedName, expected: ColumnInfo): string {
  const type = 'pg_catalog.format_type(a.atttypid, a.atttypmod)';
  // A generated column's expression sits where a default would: the snapshot keeps it apart (`generated`).
  const defaultExpression = "CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END";
  const detail = [
    'CASE',
    "WHEN a.attnum IS NULL THEN 'missing'",
    `WHEN ${differsFrom(type, expected.type, table.schema)} THEN 'type ' || ${type} || ', expected ' || ${quoteLiteral(expected.type)}`,
    `WHEN a.attnotnull <> ${expected.notNull} THEN ${quoteLiteral(expected.notNull ? 'nullable, expected NOT NULL' : 'NOT NULL, expected nullable')}`,
    `WHEN ${differsFrom(defaultExpression, expected.default, table.schema)} THEN 'default ' || coalesce(${defaultExpression}, 'none') || ', expected ' || ${quoteLiteral(expected.default ?? 'none')}`,
    'END',
  ].join(' ');
  const from = `${oneRowJoin(ATTRIBUTE_JOIN, columnMatches(table, expected.name))} LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum`;
  return checkQuery('column restored', objectName(table, expected.name), detail, from);
}

/** A row when the column still exists. */
export function columnDroppedQuery(table: QualifiedName, column: string): string {
  return checkQuery('column dropped', objectName(table, column), "'still exists'", `${ATTRIBUTE_JOIN} WHERE ${columnMatches(table, column)}`);
}

function restored(table: QualifiedName, column: string, change: Parameters<ClaimsOf>[0]): Claim {
  const key = columnKey(table, column);
  const before = change.prior ? findColumn(change.prior, table, column) : undefined;
  if (!change.prior) return unverified(key, objectName(table, column), change.priorUnknown);
  if (!before) return unverified(key, objectName(table, column), 'the schema read before the migration has no such column');
  return { key, query: { phase: 'after', check: 'column restored', object: objectName(table, column), sql: columnRestoredQuery(table, before) } };
}

function dropped(table: QualifiedName, column: string): Claim {
  return { key: columnKey(table, column), query: { phase: 'after', check: 'column dropped', object: objectName(table, column), sql: columnDroppedQuery(table, column) } };
}

export const columnClaims: ClaimsOf = (change) => {
  const { change: recognised } = change.item;
  const table = recognised.target?.table;
  if (!table) return undefined;
  if (recognised.kind === 'add_column') {
    const { column } = recognised.details as { column: string };
    return [dropped(table, column)];
  }
  if (recognised.kind === 'rename_column') {
    const { from, to } = recognised.details as { from: string; to: string };
    return [restored(table, from, change), dropped(table, to)];
  }
  if (RESTORES_COLUMN.has(recognised.kind)) {
    const column = recognised.target?.columns?.[0];
    return column === undefined ? undefined : [restored(table, column, change)];
  }
  return undefined;
};
