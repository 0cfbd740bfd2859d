/**
 * Verification queries of a rollback script (DESIGN.md, "Rollback scripts"): read-only `SELECT`s that return a
 * row `(check text, object text, detail text)` only when something is wrong, so that a deploy tool can run them
 * one by one or as one `UNION ALL`, and treat any row as a failure.
 */

/**
 * When a query runs: `before` the rollback script (the values a type revert would not keep), `backup` once the
 * backups are taken and before the steps that drop what they copied, `after` the whole script.
 */
export const VERIFICATION_PHASES = ['before', 'backup', 'after'] as const;
export type VerificationPhase = (typeof VERIFICATION_PHASES)[number];

export interface VerificationQuery {
  phase: VerificationPhase;
  /** What it checks: `column restored`, `index dropped`, `backup matches`, `value survives type revert`… */
  check: string;
  /** The object it checks, unquoted (`public.users.age`). */
  object: string;
  /** One `SELECT` statement ending with `;`, on one line, every name and value quoted by sql/quote.ts. */
  sql: string;
  /** For a `backup` query: the backup statement of the script it runs after. */
  afterStatement?: string;
}

/** An object a rollback step touches, for which no query can say whether it was restored, and why. */
export interface Unverified {
  object: string;
  reason: string;
}

/** `key` names the object whose final state the claim states; a claim without one (a pre-check) always holds. */
export type Claim = { key?: string; query: VerificationQuery } | { key?: string; unverified: Unverified };

export interface Verification {
  queries: VerificationQuery[];
  unverified: Unverified[];
}
