/**
 * Rule levels decide the exit code only. They never change a verdict: an "off" rule's irreversible change is
 * still reported irreversible (never a false safe), it just does not fail the run, like an acknowledged one.
 */
import type { FailOn } from '../report/build.js';
import type { Report } from '../report/schema.js';
import type { Verdict } from '../changes/types.js';
import type { RuleLevel } from './types.js';

const RANK: Record<Verdict, number> = { safe: 0, risky: 1, irreversible: 2 };

/** failsOn, with each rule's level applied: off never fails, warn fails at most as a risky change would. */
export function failsOnWithRuleLevels(report: Report, failOn: FailOn, rules: Record<string, RuleLevel> = {}): boolean {
  if (failOn === 'none') return false;
  return report.migrations.some((migration) =>
    migration.changes.some((change) => {
      const level = rules[change.rule] ?? 'error';
      if (change.acknowledged || level === 'off') return false;
      const counted = level === 'warn' ? Math.min(RANK[change.verdict], RANK.risky) : RANK[change.verdict];
      return counted >= RANK[failOn];
    }),
  );
}
