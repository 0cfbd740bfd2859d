/**
 * No value truncated by a type revert (the seed: "Verify no data truncation"). A revert that narrows the type
 * either fails on a value that does not fit or, for some casts, changes it silently; once it ran, the old
 * values are gone and nothing can be compared. So the check runs BEFORE the revert: it returns the rows whose
 * value would not survive the cast back. After the script, the column check (./column.ts) confirms the type.
 *
 * The tests never cast a value that may not fit (that would fail the query instead of returning the row): they
 * read the value's text and test it against the old type's bounds, or cast it to a type that truncates without
 * an error (`varchar(n)`), and fall back to comparing the value's text through the old type only where no such
 * test is known (a failure of that query then also says a value does not fit).
 */
import { findColumn } from '../../catalog/lookup.js';
import type { QualifiedName } from '../../changes/types.js';
import { quoteIdent, quoteLiteral, sqlName } from '../../sql/quote.js';
import type { ClaimsOf } from './claim.js';
import { checkQuery } from './query.js';

const INTEGER_RANGES: Record<string, readonly [string, string]> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
};

const INTEGER_TEXT = quoteLiteral('^\\s*[-+]?[0-9]+\\s*$');
const DECIMAL_TEXT = quoteLiteral('^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)\\s*$');

/** The integer types, as a migration may write them: their values compare with the bounds as they are. */
const INTEGER_TYPES: ReadonlySet<string> = new Set(['smallint', 'int2', 'integer', 'int', 'int4', 'bigint', 'int8']);

/**
 * SQL true when the value `column` (not NULL) of type `newType` (as the migration wrote it) would not come back
 * unchanged from a cast to `oldType`.
 */
export function wouldNotSurvive(column: string, oldType: string, newType = ''): string {
  const text = `(${column})::text`;
  const range = INTEGER_RANGES[oldType];
  // An integer narrowed back: a comparison, without reading the value as text (4 times faster on a large table).
  if (range && INTEGER_TYPES.has(newType.toLowerCase().replace(/^pg_catalog\./, ''))) return `(${column}) NOT BETWEEN ${range[0]} AND ${range[1]}`;
  if (range) return `CASE WHEN ${text} ~ ${INTEGER_TEXT} THEN ${text}::numeric NOT BETWEEN ${range[0]} AND ${range[1]} ELSE true END`;
  const varchar = /^character varying\((\d+)\)$/.exec(oldType);
  // An explicit cast to varchar(n) truncates instead of failing: compare what it keeps.
  if (varchar) return `${text} IS DISTINCT FROM (${text})::character varying(${varchar[1]})::text`;
  const character = /^character\((\d+)\)$/.exec(oldType);
  if (character) return `pg_catalog.char_length(pg_catalog.rtrim(${text})) > ${character[1]}`;
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(oldType);
  if (numeric) {
    const [precision, scale] = [Number(numeric[1]), Number(numeric[2])];
    const value = `${text}::numeric`;
    return `CASE WHEN ${text} ~ ${DECIMAL_TEXT} THEN ${value} <> pg_catalog.round(${value}, ${scale}) OR pg_catalog.abs(pg_catalog.round(${value}, ${scale})) >= 1e${precision - scale} ELSE true END`;
  }
  // The old type as Postgres printed it (format_type, quoted by the server), as the revert step itself uses it.
  return `${text} IS DISTINCT FROM ((${column})::${oldType})::text`;
}

/** The rows of `table` whose `column` would not survive the revert to `oldType` (at most 100). */
export function truncationQuery(table: QualifiedName, column: string, oldType: string, newType = ''): string {
  const value = `t.${quoteIdent(column)}`;
  const detail = `'row ' || t.ctid::text || ': ' || pg_catalog.left((${value})::text, 80) || ${quoteLiteral(` does not fit ${oldType}`)}`;
  const rows = `${sqlName(table)} AS t WHERE ${value} IS NOT NULL AND (${wouldNotSurvive(value, oldType, newType)}) LIMIT 100`;
  return checkQuery('value survives type revert', `${table.schema}.${table.name}.${column}`, detail, rows);
}

export const truncationClaims: ClaimsOf = (change) => {
  const { change: recognised } = change.item;
  if (recognised.kind !== 'alter_column_type') return undefined;
  const table = recognised.target?.table;
  const column = recognised.target?.columns?.[0];
  const before = table && column !== undefined && change.prior ? findColumn(change.prior, table, column) : undefined;
  const { newType } = recognised.details as { newType: string };
  // Without the old type there is no revert to check: the column's claim says its prior schema is unknown.
  if (!table || column === undefined || !before) return [];
  return [{ query: { phase: 'before', check: 'value survives type revert', object: `${table.schema}.${table.name}.${column}`, sql: truncationQuery(table, column, before.type, newType) } }];
};
