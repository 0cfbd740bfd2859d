/**
 * `--format sql`: only the rollback script. For a forward-fix-only outcome, SQL comments that say why
 * and list the options that remain, so a pipeline that runs the output runs nothing by mistake. Every
 * comment line goes through sqlComment: paths, names and reasons cannot end it early.
 */
import { sqlComment, sqlComments } from '../sql/comment.js';
import type { Report } from './schema.js';

/** Comment lines naming the migrations whose prior schema is unknown, and why: their steps rest on the statements alone. */
function priorUnknown(report: Report): string[] {
  const lines: string[] = [];
  for (const migration of report.migrations) {
    const history = migration.history;
    if (!history?.failure) continue;
    lines.push(sqlComment(`PRIOR SCHEMA UNKNOWN for ${migration.path}: the history could not be replayed (${history.failure}); its rollback steps rest on the statements alone.`));
    if (history.hint) lines.push(sqlComment(`  hint: ${history.hint}`));
  }
  return lines;
}

const ACCEPTANCE_NEEDED = sqlComments([
  'RISKY: this rollback destroys data the new version wrote; it backs it up first. Run it only once',
  'the risk is accepted (migcheck plan --accept-risk); otherwise fix forward.',
]);

export function formatSql(report: Report): string {
  const unknown = priorUnknown(report);
  if (report.rollback && report.acceptance === 'needed') return `${[...ACCEPTANCE_NEEDED, ...unknown].join('\n')}\n${report.rollback.sql}`;
  if (report.rollback) return `${unknown.map((line) => `${line}\n`).join('')}${report.rollback.sql}`;
  const lines = [...unknown, ...sqlComments(['migcheck: no rollback script. Forward fix only.', 'These changes cannot be rolled back:'])];
  for (const migration of report.migrations) {
    for (const change of migration.changes) {
      if (change.verdict !== 'irreversible') continue;
      lines.push(sqlComment(`  ${migration.path}:${change.line}:${change.column} ${change.kind} ${change.object}`));
      lines.push(sqlComment(`    ${change.reason}`));
      (change.options ?? []).forEach((option, index) => lines.push(sqlComment(`    ${index + 1}. ${option}`)));
    }
  }
  return `${lines.join('\n')}\n`;
}
