/**
 * @migcheck/analyzer: is this PostgreSQL migration safe to roll back?
 *
 *   import { lint, plan, formatReport } from '@migcheck/analyzer';
 *   const report = await lint(['migrations/']);
 *   if (report.outcome === 'forward-fix-only') …
 */
import type { AssessContext } from './changes/rule.js';
import { analyzeMigrations } from './plan/analyze.js';
import { buildReport, type Command } from './report/build.js';
import type { Report } from './report/schema.js';
import { discoverMigrations } from './source/discover.js';

export interface AnalyzeOptions {
  /** Directory that relative paths are resolved against and shown relative to (default: process.cwd()). */
  cwd?: string;
}

async function analyze(command: Command, paths: string[], options: AnalyzeOptions): Promise<Report> {
  const migrations = discoverMigrations(paths, options.cwd ? { cwd: options.cwd } : {});
  const context: AssessContext = {};
  return buildReport(command, await analyzeMigrations(migrations, context));
}

/** Static analysis: every change's verdict and rollback from the statements alone. No database. */
export function lint(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  return analyze('lint', paths, options);
}

/** The rollback plan. Without a database it is lint's analysis with the full rollback script. */
export function plan(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  return analyze('plan', paths, options);
}

export { failsOn, type FailOn } from './report/build.js';
export { formatReport, FORMATS, type Format, type FormatOptions } from './report/index.js';
// The zod schemas live at '@migcheck/analyzer/schema': loading zod costs ~90 ms, which lint does not need.
export type { Report, ChangeReport, MigrationReport } from './report/schema.js';
export { ruleDocs, ruleDoc } from './changes/registry.js';
export type { RuleDoc } from './changes/rule.js';
export { CHANGE_KINDS, VERDICTS, EVIDENCE, type ChangeKind, type Verdict, type Evidence } from './changes/types.js';
export { MigcheckError, InputError, UsageError } from './errors.js';
export { discoverMigrations, historyOf, type Migration, type MigrationDirectory, type SqlSource } from './source/discover.js';
export { VERSION } from './version.js';
