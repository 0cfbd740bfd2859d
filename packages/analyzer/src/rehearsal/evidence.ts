/**
 * What a rehearsal does to the verdicts: a rollback that restored the schema raises the evidence to
 * `rehearsed`; one that did not makes the changes it concerns at least risky, with the difference said;
 * a rollback step that fails once rows are seeded makes its change risky, with the server's error.
 */
import { displayName } from '../changes/naming.js';
import { worstVerdict, type Assessment, type Change } from '../changes/types.js';
import type { AnalyzedChange, AnalyzedMigration } from '../plan/analyze.js';
import type { MigrationRehearsal } from './types.js';

export function withRehearsalEvidence(rehearsal: MigrationRehearsal): AnalyzedMigration {
  const { analysis, rollback, seeded, data } = rehearsal;
  const concerned = concernedByDifferences(rehearsal);
  const dataConcerned = concernedByData(rehearsal);
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
    if (data.differing.length > 0 && assessment.verdict === 'safe' && dataConcerned(item)) {
      assessment = { ...assessment, verdict: 'risky', evidence: 'rehearsed', reason: `Rehearsal: ${dataNotRestored(data.differing)} ${assessment.reason}` };
    }
    return { ...item, assessment };
  });
  // Data that no change of the analysis accounts for (a statement nobody recognised as a data change): the
  // migration still cannot be called safe.
  if (data.differing.length > 0 && changes.every((item) => item.assessment.verdict === 'safe')) changes.push(unexplainedDataChange(analysis, data.differing));
  return { ...analysis, changes, verdict: worstVerdict(changes.map((item) => item.assessment.verdict)) };
}

function dataNotRestored(differing: string[]): string {
  const shown = differing.slice(0, 5).join(', ');
  return `with rows seeded into the existing tables, the data after the rollback differs from the data before the migration in ${shown}${differing.length > 5 ? ', …' : ''}; the rollback does not restore it.`;
}

/** The changes a data difference is about: those on a differing table, else every safe one. */
function concernedByData({ analysis, data }: MigrationRehearsal): (item: AnalyzedChange) => boolean {
  const differing = new Set(data.differing);
  const named = (item: AnalyzedChange) => {
    const table = item.change.target?.table;
    return differing.has(item.change.object) || (table !== undefined && differing.has(displayName(table)));
  };
  return analysis.changes.some((item) => item.assessment.verdict === 'safe' && named(item)) ? named : () => true;
}

/** A change that stands for what the rehearsal saw and no recognised change explains. */
function unexplainedDataChange(analysis: AnalyzedMigration, differing: string[]): AnalyzedChange {
  const first = analysis.changes[0]?.change;
  const change: Change = {
    kind: 'unknown',
    rule: 'unknown-statement',
    object: differing[0] ?? '(data)',
    details: { tag: 'rehearsal' },
    position: first?.position ?? { line: 1, column: 1 },
    statementIndex: first?.statementIndex ?? 0,
    statementText: first?.statementText ?? '',
  };
  return {
    change,
    assessment: {
      verdict: 'risky',
      evidence: 'rehearsed',
      reason: `Rehearsal: ${dataNotRestored(differing)} No change migcheck recognised in this migration explains it.`,
      rollback: [],
    },
  };
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
