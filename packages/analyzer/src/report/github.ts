/**
 * `--format github`: GitHub Actions workflow commands, which GitHub shows as annotations on the pull
 * request's diff. Irreversible changes are errors, risky ones warnings; safe ones are not annotated.
 * Paths and messages come from untrusted migrations: each is made visible (no control byte reaches the log),
 * then escaped the way the runner unescapes (%25, %0D, %0A; and %3A, %2C in properties), so a line break or
 * `::` in a name can never start another workflow command.
 */
import { visible } from '../sql/visible.js';
import type { Report } from './schema.js';

export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const migration of report.migrations) {
    // Safe changes are not annotated, so the migration itself says that its verdicts rest on the statements alone.
    if (migration.history?.failure) {
      const note = `Prior schema unknown: the history could not be replayed (${migration.history.failure}); the verdicts of this migration rest on the statements alone.${migration.history.hint ? ` Hint: ${migration.history.hint}.` : ''}`;
      lines.push(`::notice file=${property(migration.path)},line=1,title=${property('migcheck: prior schema unknown')}::${data(visible(note))}`);
    }
    for (const change of migration.changes) {
      if (change.verdict === 'safe') continue;
      const level = change.verdict === 'irreversible' && !change.acknowledged ? 'error' : 'warning';
      const title = `migcheck ${change.rule}: ${change.verdict}${change.acknowledged ? ' (acknowledged)' : ''}`;
      const properties = `file=${property(migration.path)},line=${change.line},col=${change.column},title=${property(title)}`;
      // The message's own line breaks (one per option) are kept, as %0A; those inside a reason are shown as \n.
      const message = [change.reason, ...(change.notes ?? []), ...(change.options ?? []).map((option, index) => `${index + 1}. ${option}`)].map(visible).join('\n');
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
  return data(visible(text)).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
