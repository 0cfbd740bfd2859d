/** Analysed migrations → the JSON report of the public contract. */
import { formatDifferences, type SchemaDifference } from '../catalog/diff.js';
import { worstVerdict, verdictAtLeast, type Verdict } from '../changes/types.js';
import type { AnalyzedChange, AnalyzedMigration } from '../plan/analyze.js';
import { buildRollbackScript } from '../plan/rollback-script.js';
import type { TableSize } from '../plan/table-size.js';
import type { RehearsalFailure, RehearsalResult } from '../rehearsal/rehearse.js';
import type { Migration, MigrationDirectory } from '../source/discover.js';
import type { StateDecision } from '../state/tracking.js';
import { VERSION } from '../version.js';
import { completeHistory, priorUnknownNote } from './history.js';
import type { ChangeReport, MigrationReport, Report } from './schema.js';

export type Command = Report['command'];

/** How the prior schema of a migration was obtained. */
export type HistoryNote = NonNullable<MigrationReport['history']>;

export interface ReportExtras {
  history?: Map<Migration, HistoryNote>;
  /** Whether each migration is applied to the target database, and how that was decided. */
  states?: Map<Migration, StateDecision>;
  rehearsals?: Map<Migration, RehearsalResult>;
  /** The target's table sizes (plan --database-url), said next to the rollback steps that scan or rewrite them. */
  tableSizes?: ReadonlyMap<string, TableSize>;
}

export function buildReport(command: Command, migrations: AnalyzedMigration[], extras: ReportExtras = {}): Report {
  const notedFolders = new Set<MigrationDirectory>();
  const history = completeHistory(migrations.map((analyzed) => analyzed.migration), withRehearsalFailures(extras));
  const reports = migrations.map((migration) => migrationReport(migration, { ...extras, history }, notedFolders));
  const changes = reports.flatMap((migration) => migration.changes);
  const verdict = worstVerdict(changes.map((change) => change.verdict));
  const count = (wanted: Verdict) => changes.filter((change) => change.verdict === wanted).length;
  return {
    schemaVersion: 1,
    tool: { name: 'migcheck', version: VERSION },
    command,
    outcome: verdict === 'irreversible' ? 'forward-fix-only' : 'rollback',
    verdict,
    summary: {
      migrations: reports.length,
      changes: changes.length,
      safe: count('safe'),
      risky: count('risky'),
      irreversible: count('irreversible'),
      acknowledged: changes.filter((change) => change.acknowledged).length,
    },
    migrations: reports,
    rollback: buildRollbackScript(migrations, extras),
  };
}

/** verify: a rehearsal that could not start because the history failed leaves the prior schema unknown too. */
function withRehearsalFailures(extras: ReportExtras): Map<Migration, HistoryNote> | undefined {
  if (!extras.rehearsals) return extras.history;
  const notes = new Map(extras.history ?? []);
  for (const [migration, result] of extras.rehearsals) {
    if (!('historyFailure' in result) || notes.has(migration)) continue;
    const { historyFailure: failure } = result;
    const failed = migration.directory?.migrations.find((earlier) => earlier.up.path === failure.path);
    notes.set(migration, {
      replayed: failed?.index ?? 0,
      failure: `${failure.path}:${failure.line}:${failure.column}: ${failure.message}`,
      ...(failed ? { failedMigration: failed.path } : {}),
    });
  }
  return notes;
}

function migrationReport(analyzed: AnalyzedMigration, extras: ReportExtras, notedFolders: Set<MigrationDirectory>): MigrationReport {
  const { migration } = analyzed;
  const notes = notesOf(migration, notedFolders);
  const history = extras.history?.get(migration);
  // Said next to every verdict, in every format: the verdicts of this migration rest on the statements alone.
  const unknownPrior = history?.failure ? priorUnknownNote(history) : undefined;
  const rehearsal = extras.rehearsals?.get(migration);
  const state = extras.states?.get(migration);
  return {
    path: migration.path,
    id: migration.id,
    layout: migration.layout,
    state: state?.state ?? 'unknown',
    ...(state ? { stateReason: state.how } : {}),
    verdict: analyzed.verdict,
    statements: analyzed.statements,
    changes: analyzed.changes.map(changeReport).map((change) => (unknownPrior ? { ...change, notes: [unknownPrior, ...(change.notes ?? [])] } : change)),
    ...(migration.down ? { down: migration.down.path } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(history ? { history } : {}),
    ...(rehearsal ? { rehearsal: rehearsalReport(rehearsal) } : {}),
  };
}

/** The migration's own notes, and its folder's on the first migration of that folder in the report. */
function notesOf(migration: Migration, notedFolders: Set<MigrationDirectory>): string[] {
  const folder = migration.directory;
  const folderNotes = folder && !notedFolders.has(folder) ? folder.notes : [];
  if (folder) notedFolders.add(folder);
  return [...folderNotes, ...(migration.notes ?? [])];
}

function rehearsalReport(result: RehearsalResult): NonNullable<MigrationReport['rehearsal']> {
  if ('historyFailure' in result) {
    const { historyFailure: failure } = result;
    return { restored: false, differences: [], failure: `history: ${failure.path}:${failure.line}:${failure.column}: ${failure.message}` };
  }
  const { rollback, seeded, down } = result;
  return {
    restored: rollback.restored,
    mode: result.mode,
    differences: lines(rollback.differences),
    ...(rollback.failure ? { failure: failureText(rollback.failure) } : {}),
    seeded: { rows: seeded.rows.seeded, rejected: seeded.rows.rejected, ...(seeded.failure ? { failure: failureText(seeded.failure) } : {}) },
    ...(down
      ? {
          down: {
            path: down.path,
            restored: down.restored,
            differences: lines(down.differences),
            ...(down.failure ? { failure: failureText(down.failure) } : {}),
            destroys: down.destroys,
          },
        }
      : {}),
  };
}

function lines(differences: SchemaDifference[]): string[] {
  return differences.length === 0 ? [] : formatDifferences(differences).split('\n');
}

function failureText(failure: RehearsalFailure): string {
  return `${failure.stage}: ${failure.at}: ${failure.message}`;
}

function changeReport({ change, assessment, acknowledged, undoneBy, data }: AnalyzedChange): ChangeReport {
  const timings = new Set(assessment.rollback.map((step) => step.timing));
  return {
    kind: change.kind,
    object: change.object,
    verdict: assessment.verdict,
    rule: change.rule,
    line: change.position.line,
    column: change.position.column,
    reason: assessment.reason,
    evidence: assessment.evidence,
    rollback: assessment.rollback.map((step) => step.sql),
    ...(timings.size === 1 ? { timing: [...timings][0]! } : {}),
    ...(assessment.options ? { options: assessment.options } : {}),
    ...(assessment.notes ? { notes: assessment.notes } : {}),
    ...(acknowledged ? { acknowledged: { reason: acknowledged.reason, line: acknowledged.line } } : {}),
    ...(undoneBy ? { undoneBy: { line: undoneBy.position.line, kind: undoneBy.kind, object: undoneBy.object } } : {}),
    ...(data ? { dataCheck: { question: data.question, ...data.finding, ms: Math.round(data.finding.ms * 10) / 10 } } : {}),
  };
}

export type FailOn = Verdict | 'none';

/** Exit status: 1 when any change not acknowledged is at or above the threshold, else 0. */
export function failsOn(report: Report, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return report.migrations.some((migration) =>
    migration.changes.some((change) => !change.acknowledged && verdictAtLeast(change.verdict, failOn)),
  );
}
