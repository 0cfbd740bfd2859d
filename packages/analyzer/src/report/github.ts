/**
 * `--format github`: GitHub Actions workflow commands, which GitHub shows as annotations on the pull
 * request's diff. Irreversible changes are errors, risky ones warnings; safe ones are not annotated.
 */
import type { Report } from './schema.js';

export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const migration of report.migrations) {
    for (const change of migration.changes) {
      if (change.verdict === 'safe') continue;
      const level = change.verdict === 'irreversible' && !change.acknowledged ? 'error' : 'warning';
      const title = `migcheck ${change.rule}: ${change.verdict}${change.acknowledged ? ' (acknowledged)' : ''}`;
      const properties = `file=${property(migration.path)},line=${change.line},col=${change.column},title=${property(title)}`;
      const message = [change.reason, ...(change.options ?? []).map((option, index) => `${index + 1}. ${option}`)].join('\n');
      lines.push(`::${level} ${properties}::${data(message)}`);
    }
  }
  lines.push(`migcheck: ${report.verdict} (${report.summary.safe} safe, ${report.summary.risky} risky, ${report.summary.irreversible} irreversible)`);
  return `${lines.join('\n')}\n`;
}

function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
