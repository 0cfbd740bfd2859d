/**
 * @migcheck/analyzer: is this PostgreSQL migration safe to roll back?
 *
 *   import { lint, plan, formatReport } from '@migcheck/analyzer';
 *   const report = await lint(['migrations/']);
 *   if (report.outcome === 'forward-fix-only') …
 */
export { lint, plan, verify, type AnalyzeOptions, type LintOptions, type VerifyOptions } from './commands.js';
export type { ResultCacheOptions } from './cache/result-cache.js';
export type { ShadowOptions } from './shadow/index.js';
export { failsOn, type FailOn } from './report/build.js';
export { formatReport, formatReportPieces, FORMATS, type Format, type FormatOptions } from './report/index.js';
// A plan's rollback verification queries, for a deploy tool that runs them itself (rows back mean something is wrong).
export { verificationQueries, verificationSql } from './report/verify.js';
export type { VerificationPhase, VerificationQuery, Unverified, Verification } from './plan/verification/types.js';
// The zod schemas live at '@migcheck/analyzer/schema': loading zod costs ~90 ms, which lint does not need.
export type { Report, ChangeReport, MigrationReport } from './report/schema.js';
export { ruleDocs, ruleDoc } from './changes/registry.js';
export type { RuleDoc } from './changes/rule.js';
export { CHANGE_KINDS, VERDICTS, EVIDENCE, type ChangeKind, type Verdict, type Evidence } from './changes/types.js';
export { MigcheckError, InputError, UsageError } from './errors.js';
export { discoverMigrations, historyOf, type Migration, type MigrationDirectory, type SqlSource } from './source/discover.js';
export { VERSION } from './version.js';
// Untrusted text (names, paths, server messages) made safe to print on a terminal or in a log: one line, no control bytes.
export { visible } from './sql/visible.js';
export { readSchemaSnapshot, diffSnapshots, formatDifferences, type SchemaSnapshot, type SchemaDifference, type Queryable } from './catalog/index.js';
export { loadConfig, parseConfig, failsOnWithRuleLevels, isExcluded, starterConfig, CONFIG_FILES, type MigcheckConfig, type LoadedConfig, type RuleLevel } from './config/index.js';
