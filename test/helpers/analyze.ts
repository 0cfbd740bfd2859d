/** Runs the analyzer on a SQL string, as a lone migration file, for rule unit tests. */
import type { AssessContext } from '../../packages/analyzer/src/changes/rule.js';
import { analyzeMigration, type AnalyzedChange } from '../../packages/analyzer/src/plan/analyze.js';
import type { Migration } from '../../packages/analyzer/src/source/discover.js';
import { loadParser } from '../../packages/analyzer/src/source/parse.js';

await loadParser();

export function migrationFromSql(sql: string, path = 'migration.sql'): Migration {
  return { id: path, version: path, name: path, layout: 'file', path, up: { path, absolutePath: `/${path}`, text: sql }, index: 0 };
}

export interface ChangeSummary {
  kind: string;
  rule: string;
  object: string;
  verdict: string;
  evidence: string;
  line: number;
  column: number;
  rollback: string[];
  reason: string;
}

export function analyzeSql(sql: string, context: AssessContext = {}): AnalyzedChange[] {
  return analyzeMigration(migrationFromSql(sql), context).changes;
}

/** The changes of a SQL text, flattened for assertions. */
export function changesOf(sql: string, context: AssessContext = {}): ChangeSummary[] {
  return analyzeSql(sql, context).map(({ change, assessment }) => ({
    kind: change.kind,
    rule: change.rule,
    object: change.object,
    verdict: assessment.verdict,
    evidence: assessment.evidence,
    line: change.position.line,
    column: change.position.column,
    rollback: assessment.rollback.map((step) => step.sql),
    reason: assessment.reason,
  }));
}

/** The only change of a one-change SQL text. */
export function onlyChange(sql: string, context: AssessContext = {}): ChangeSummary {
  const changes = changesOf(sql, context);
  if (changes.length !== 1) throw new Error(`expected one change, got ${changes.length}: ${JSON.stringify(changes)}`);
  return changes[0]!;
}
