/**
 * Probes: read-only, bounded data checks on the target database (DESIGN.md, "Safety of the target database"),
 * one per data-dependent rule of the seed's Part 4 and of the rules beyond it.
 *
 * Each probe uses what Postgres already knows first (the catalog, `pg_stats`, an index), then one exact query
 * bounded by the probe's time budget; it never scans a whole table unless asked to (`exact: true`). Whatever it
 * cannot decide in time, or is not allowed to read, is 'unknown', which the rules count as risky, never safe.
 */
export { openTarget, type Target, type TargetOptions, type ProbeSettings, DEFAULT_PROBE_SETTINGS } from './target.js';
export type { Answer, Finding, Method } from './finding.js';
export type { QualifiedName } from '../changes/types.js';
export { columnHoldsData } from './column-holds-data.js';
export { tableHoldsRows } from './table-holds-rows.js';
export { valuesFitType } from './values-fit-type.js';
export { nullsPresent } from './nulls-present.js';
export { duplicatesPresent } from './duplicates-present.js';
export { orphansPresent } from './orphans-present.js';
export { checkViolated } from './check-violated.js';
export { enumValueInUse } from './enum-value-in-use.js';
