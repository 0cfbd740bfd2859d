/**
 * Conclusions from `pg_stats`, and only the sound ones. The statistics are a sample taken at the last ANALYZE:
 * a value seen in them proves that the value existed then (a presence, reported with the time of the ANALYZE);
 * a value NOT seen in them proves nothing, so no probe answers "absent" from statistics.
 */
import type { ColumnFacts, TableFacts } from './catalog.js';
import { analyzedWhen, type Outcome, type ProbeRun } from './finding.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { run } from './sql.js';

/** Whether the column's statistics hold sampled values (most common values or histogram bounds). */
export function hasSampledValues(column: ColumnFacts): boolean {
  return Boolean(column.stats && column.hasArrayType && (column.stats.mostCommonVals || column.stats.histogramBounds));
}

/**
 * Looks among the sampled values of a column (most common values and histogram bounds, cast back from their text
 * form to the column's type) for one that satisfies `predicate`, an SQL condition on `v`. Reads no table.
 * Resolves to the value's text when one does, null when none does.
 */
export async function sampledValueWhere(probe: ProbeRun, column: ColumnFacts, predicate: string): Promise<Outcome<string | null>> {
  const stats = column.stats!;
  const arrayType = `${column.elementType}[]`;
  const sql = `SELECT v::text AS value
    FROM unnest(array_cat(($1::text)::${arrayType}, ($2::text)::${arrayType})) AS sampled(v)
    WHERE v IS NOT NULL AND (${predicate}) LIMIT 1`;
  const outcome = await probe.step((client) => run<{ value: string }>(client, sql, [stats.mostCommonVals, stats.histogramBounds]), 'catalog');
  return outcome.ok ? { ok: true, value: outcome.value[0]?.value ?? null } : outcome;
}

/** "(analyzed 2026-11-20 14:03 UTC)". */
export function asOf(table: TableFacts): string {
  return `(${analyzedWhen(table.analyzedAt)})`;
}

/** The column as `v`'s neighbour in predicates: `"col"`. */
export function columnRef(column: ColumnFacts): string {
  return quoteIdentAlways(column.name);
}
