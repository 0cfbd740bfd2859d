/** Analysed migrations → the JSON report of the public contract. */
import { worstVerdict, verdictAtLeast, type Verdict } from '../changes/types.js';
import type { AnalyzedChange, AnalyzedMigration } from '../plan/analyze.js';
import { buildRollbackScript } from '../plan/rollback-script.js';
import { VERSION } from '../version.js';
import type { ChangeReport, MigrationReport, Report } from './schema.js';

export type Command = Report['command'];

export function buildReport(command: Command, migrations: AnalyzedMigration[]): Report {
  const reports = migrations.map(migrationReport);
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
    rollback: buildRollbackScript(migrations),
  };
}

function migrationReport(analyzed: AnalyzedMigration): MigrationReport {
  const { migration } = analyzed;
  return {
    path: migration.path,
    id: migration.id,
    layout: migration.layout,
    state: 'unknown',
    verdict: analyzed.verdict,
    statements: analyzed.statements,
    changes: analyzed.changes.map(changeReport),
    ...(migration.down ? { down: migration.down.path } : {}),
  };
}

function changeReport({ change, assessment, acknowledged, undoneBy }: AnalyzedChange): ChangeReport {
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
