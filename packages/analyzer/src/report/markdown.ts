/** `--format markdown`: a pull-request comment or job summary. */
import type { Report } from './schema.js';

const ICONS = { safe: '✅', risky: '⚠️', irreversible: '🛑' } as const;

export function formatMarkdown(report: Report): string {
  const lines = [
    `## migcheck: ${ICONS[report.verdict]} ${report.verdict}${report.outcome === 'forward-fix-only' ? ' (forward fix only)' : ''}`,
    '',
    `${report.summary.changes} changes in ${report.summary.migrations} migrations: ${report.summary.safe} safe, ${report.summary.risky} risky, ${report.summary.irreversible} irreversible.`,
  ];
  for (const migration of report.migrations) {
    lines.push('', `### ${ICONS[migration.verdict]} \`${migration.path}\``, '');
    if (migration.changes.length === 0) {
      lines.push('No schema or data changes.');
      continue;
    }
    lines.push('| line | verdict | rule | object | reason | rollback |', '|---|---|---|---|---|---|');
    for (const change of migration.changes) {
      const rollback = change.rollback.map((sql) => `\`${cell(sql)}\``).join('<br>') || '—';
      const verdict = `${change.verdict}${change.acknowledged ? ' (acknowledged)' : ''}`;
      lines.push(`| ${change.line} | ${verdict} | \`${change.rule}\` | \`${cell(change.object)}\` | ${cell(change.reason)} | ${rollback} |`);
    }
  }
  if (report.rollback) lines.push('', '<details><summary>Rollback script</summary>', '', '```sql', report.rollback.sql.trimEnd(), '```', '', '</details>');
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
