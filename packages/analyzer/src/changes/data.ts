/** Wording shared by the rules' data checks: what the target's data said, and how it was found out. */
import type { DataCheck, DataProbes } from './rule.js';

/** "pg_stats says … (statistics, 3 ms)". */
export function howDecided(check: DataCheck): string {
  return `${check.finding.detail} (${check.finding.method}, ${Math.round(check.finding.ms)} ms)`;
}

/** An unanswered data check: counts as risky, never safe. */
export function unanswered(check: DataCheck): string {
  return `Could not answer "${check.question}": ${howDecided(check)}. Unknown counts as risky; run with --exact or a longer --probe-timeout to decide.`;
}

export async function ask(question: string, probe: Promise<DataCheck['finding']>): Promise<DataCheck> {
  return { question, finding: await probe };
}

export type { DataProbes };
