/**
 * `@migcheck/analyzer/schema`: the zod schemas of the JSON report, for tools that validate reports
 * (`reportSchema.parse(JSON.parse(output))`). A separate entry point so that linting never loads zod.
 */
export { reportSchema, changeReportSchema, migrationReportSchema, verdictSchema, evidenceSchema, changeKindSchema } from './report/schema.js';
export type { Report, ChangeReport, MigrationReport } from './report/schema.js';
