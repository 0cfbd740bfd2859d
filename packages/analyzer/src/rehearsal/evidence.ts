/**
 * What a rehearsal does to the verdicts: a rollback that restored the schema raises the evidence to
 * `rehearsed`; one that did not makes the changes it concerns at least risky, with the difference said;
 * a rollback step that fails once rows are seeded makes its change risky, with the server's error.
 */
import { displayName } from '../changes/naming.js';
import { worstVerdict, type Assessment } from '../changes/types.js';
import type { AnalyzedChange, AnalyzedMigration } from '../plan/analyze.js';
import type { MigrationRehearsal } from './rehearse.js';

export function withRehearsalEvidence(rehearsal: MigrationRehearsal): AnalyzedMigration {
  const { analysis, rollback, seeded } = rehearsal;
  const concerned = concernedByDifferences(rehearsal);
  const changes = analysis.changes.map((item): AnalyzedChange => {
    let assessment: Assessment = item.assessment;
    if (rollback.restored) {
      assessment = { ...assessment, evidence: 'rehearsed' };
    } else if (assessment.verdict === 'safe' && concerned(item)) {
      assessment = { ...assessment, verdict: 'risky', evidence: 'rehearsed', reason: `Rehearsal: ${notRestored(rehearsal)} ${assessment.reason}` };
    }
    if (seeded.failure?.change === item.change && assessment.verdict === 'safe') {
      assessment = {
        ...assessment,
        verdict: 'risky',
        evidence: 'rehearsed',
        reason: `Rehearsal with rows the new application could write: \`${seeded.failure.at}\` fails (${seeded.failure.message}); the rollback works only until such rows exist. ${assessment.reason}`,
      };
    }
    return { ...item, assessment };
  });
  return { ...analysis, changes, verdict: worstVerdict(changes.map((item) => item.assessment.verdict)) };
}

function notRestored({ rollback }: MigrationRehearsal): string {
  if (rollback.failure) return `the rollback failed at ${rollback.failure.at}: ${rollback.failure.message}.`;
  const shown = rollback.differences.slice(0, 3).map((difference) => `${difference.change} ${difference.objectType} ${difference.object}${difference.property ? ` (${difference.property})` : ''}`);
  return `the rollback did not restore the schema (${shown.join('; ')}${rollback.differences.length > 3 ? '; …' : ''}).`;
}

/** The changes a failed rehearsal is about: those naming an object in the differences, else all of them. */
function concernedByDifferences({ analysis, rollback }: MigrationRehearsal): (item: AnalyzedChange) => boolean {
  if (rollback.failure?.change) return (item) => item.change === rollback.failure?.change;
  const objects = rollback.differences.map((difference) => difference.object);
  const named = (item: AnalyzedChange) => {
    const table = item.change.target?.table;
    const names = [item.change.object, ...(table ? [displayName(table)] : [])];
    return names.some((name) => objects.some((object) => object === name || object.startsWith(`${name}.`)));
  };
  return analysis.changes.some(named) ? named : () => true;
}
