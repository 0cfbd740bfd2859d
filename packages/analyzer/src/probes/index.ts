/**
 * Probes: read-only, bounded data checks on the target database (DESIGN.md, "Safety of the target database"),
 * one per data-dependent rule of the seed's Part 4 and of the rules beyond it.
 *
 * Each probe uses what Postgres already knows first (the catalog, `pg_stats`, an index), then one exact query
 * bounded by the probe's time budget; it never scans a whole table unless asked to (`exact: true`). Whatever it
 * cannot decide in time, or is not allowed to read, is 'unknown', which the rules count as risky, never safe.
 */
import type { Finding } from './finding.js';
import { checkViolated } from './check-violated.js';
import { columnHoldsData } from './column-holds-data.js';
import { duplicatesPresent } from './duplicates-present.js';
import { enumValueInUse } from './enum-value-in-use.js';
import { nullsPresent } from './nulls-present.js';
import { orphansPresent } from './orphans-present.js';
import { tableHoldsRows } from './table-holds-rows.js';
import type { Target } from './target.js';
import { valuesFitType } from './values-fit-type.js';

export { openTarget, type Target, type TargetOptions, type ProbeSettings, DEFAULT_PROBE_SETTINGS } from './target.js';
export type { Answer, Finding, Method } from './finding.js';
export type { QualifiedName } from '../sql/name.js';
export { checkViolated, columnHoldsData, duplicatesPresent, enumValueInUse, nullsPresent, orphansPresent, tableHoldsRows, valuesFitType };

/**
 * Every probe, by the name a rule asks it by (a rule's `probes`). Adding a probe is its module and one line
 * here: the rules' interface (DataProbes) and the binding to a target follow from this table.
 */
export const PROBES = {
  columnHoldsData,
  tableHoldsRows,
  valuesFitType,
  nullsPresent,
  duplicatesPresent,
  orphansPresent,
  checkViolated,
  enumValueInUse,
} as const;

export type ProbeName = keyof typeof PROBES;

/** A probe with its target database given: the question alone. */
type BoundProbe<P> = P extends (target: Target, ...question: infer Q) => Promise<Finding> ? (...question: Q) => Promise<Finding> : never;

/** The probes of the target database, bound to it: one question each, read-only and bounded. */
export type DataProbes = { readonly [N in ProbeName]: BoundProbe<(typeof PROBES)[N]> };

type AnyProbe = (target: Target, ...question: never[]) => Promise<Finding>;

export function bindProbes(target: Target): DataProbes {
  const bound = Object.entries(PROBES).map(([name, probe]) => [name, (...question: never[]) => (probe as AnyProbe)(target, ...question)]);
  return Object.fromEntries(bound) as DataProbes;
}
