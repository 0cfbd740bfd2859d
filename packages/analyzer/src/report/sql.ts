/**
 * `--format sql`: only the rollback script. For a forward-fix-only outcome, SQL comments that say why
 * and list the options that remain, so a pipeline that runs the output runs nothing by mistake.
 */
import type { Report } from './schema.js';

export function formatSql(report: Report): string {
  if (report.rollback && report.acceptance === 'needed') {
    return `-- RISKY: this rollback destroys data the new version wrote; it backs it up first. Run it only once\n-- the risk is accepted (migcheck plan --accept-risk); otherwise fix forward.\n${report.rollback.sql}`;
  }
  if (report.rollback) return report.rollback.sql;
  const lines = [
    '-- migcheck: no rollback script. Forward fix only.',
    '-- These changes cannot be rolled back:',
  ];
  for (const migration of report.migrations) {
    for (const change of migration.changes) {
      if (change.verdict !== 'irreversible') continue;
      lines.push(`--   ${migration.path}:${change.line}:${change.column} ${change.kind} ${change.object}`);
      lines.push(`--     ${change.reason}`);
      (change.options ?? []).forEach((option, index) => lines.push(`--     ${index + 1}. ${option}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
