/**
 * What plan reads from the target database before any probe: its whole schema (the state from the catalog, the
 * prior schema of the first pending migration) and its migration tracking tables.
 *
 * Each is read in a transaction of its own, and neither failing ends the run. A stuck migration holding ACCESS
 * EXCLUSIVE on a table is the normal state of a database during an incident: the catalog's deparsers
 * (pg_get_expr, pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef) wait for that lock, and lock_timeout
 * ends the wait. Then the plan goes on without the schema and says why: the state comes from the tracking
 * table alone (else it is unknown, and both are planned), and the prior schema from the shadow's replay of the
 * history (else the verdicts that need it stay static, never safe). Only a lost or silent connection
 * (a MigcheckError) ends the run.
 */
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { readSchemaSnapshot } from '../catalog/read/index.js';
import { MigcheckError } from '../errors.js';
import type { RecognisedMigration } from '../plan/analyze.js';
import type { Target } from '../probes/target.js';
import { readTrackingRecords, stateFromCatalog, type StateDecision, type TrackingRecords } from './tracking.js';

export type TargetCatalog = {
  tracking: TrackingRecords | null;
  /** Why the tracking tables could not be read, when they could not. */
  trackingProblem?: string;
} & ({ snapshot: SchemaSnapshot } | { snapshot: null; /** Why the schema could not be read. */ snapshotProblem: string });

/** A large schema takes seconds to read, not minutes. */
const SNAPSHOT_TIMEOUT_MS = 120_000;
/** The tracking tables are small; reading them waits for no one. */
const TRACKING_TIMEOUT_MS = 10_000;

export async function readTargetCatalog(target: Target): Promise<TargetCatalog> {
  const snapshot = await attempt(() => target.readOnly((client) => readSchemaSnapshot(client), SNAPSHOT_TIMEOUT_MS), SNAPSHOT_TIMEOUT_MS);
  const tracking = await attempt(() => target.readOnly((client) => readTrackingRecords(client), TRACKING_TIMEOUT_MS), TRACKING_TIMEOUT_MS);
  const trackingPart = tracking.ok ? { tracking: tracking.value } : { tracking: null, trackingProblem: tracking.problem };
  return snapshot.ok ? { snapshot: snapshot.value, ...trackingPart } : { snapshot: null, snapshotProblem: snapshot.problem, ...trackingPart };
}

type Attempt<T> = { ok: true; value: T } | { ok: false; problem: string };

async function attempt<T>(read: () => Promise<T>, timeoutMs: number): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (error instanceof MigcheckError) throw error; // the connection is lost or silent: nothing more to ask
    return { ok: false, problem: problemOf(error, timeoutMs) };
  }
}

/** The server's refusal in a person's words. */
function problemOf(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case '55P03':
      return 'a table is locked by another session (lock not granted in time)';
    case '57014':
      return `the read did not finish within ${timeoutMs} ms`;
    case '42501':
      return `permission denied (${message})`;
    default:
      return message;
  }
}

/**
 * A migration's state when no tracking table decides it: from the target's schema, or unknown (planned both
 * ways) when the schema could not be read, saying why.
 */
export function stateWithoutTracking(analyzed: RecognisedMigration, catalog: TargetCatalog): StateDecision {
  const untracked = catalog.trackingProblem ? `; the tracking tables could not be read: ${catalog.trackingProblem}` : '';
  if (catalog.snapshot === null) {
    return { state: 'unknown', how: `could not read the target's schema: ${catalog.snapshotProblem}${untracked}` };
  }
  const decision = stateFromCatalog(analyzed, catalog.snapshot);
  return { ...decision, how: `${decision.how}${untracked}` };
}

/**
 * A state decided otherwise (--state, a tracking table), with the reason the target's schema is missing from the
 * plan when it could not be read: the prior schema then comes from the shadow's replay of the history, or the
 * verdicts that need it stay static.
 */
export function noteUnreadSchema(decision: StateDecision, catalog: TargetCatalog): StateDecision {
  if (catalog.snapshot !== null) return decision;
  return { ...decision, how: `${decision.how}; could not read the target's schema: ${catalog.snapshotProblem}` };
}
