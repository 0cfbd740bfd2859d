/**
 * `--format markdown`: a pull-request comment or job summary. Names, paths and reasons come from untrusted
 * migrations: plain text is escaped (no HTML, links or emphasis of its own, no `|` that ends a table cell),
 * code spans and the fenced script are delimited by more backticks than they hold, and every control or
 * invisible character is shown as an escape.
 */
import { visible } from '../sql/visible.js';
import type { Report } from './schema.js';

const ICONS = { safe: '✅', risky: '⚠️', irreversible: '🛑' } as const;

export function formatMarkdown(report: Report): string {
  const lines = [
    `## migcheck: ${ICONS[report.verdict]} ${report.verdict}${report.outcome === 'forward-fix-only' ? ' (forward fix only)' : ''}`,
    '',
    `${report.summary.changes} changes in ${report.summary.migrations} migrations: ${report.summary.safe} safe, ${report.summary.risky} risky, ${report.summary.irreversible} irreversible.`,
  ];
  for (const migration of report.migrations) {
    lines.push('', `### ${ICONS[migration.verdict]} ${code(migration.path)}`, '');
    if (migration.changes.length === 0) {
      lines.push('No schema or data changes.');
      continue;
    }
    lines.push('| line | verdict | rule | object | reason | rollback |', '|---|---|---|---|---|---|');
    for (const change of migration.changes) {
      const rollback = change.rollback.map((sql) => cell(code(sql.replace(/\n\s*/g, ' ')))).join('<br>') || '—';
      const verdict = `${change.verdict}${change.acknowledged ? ' (acknowledged)' : ''}`;
      const reason = [change.reason, ...(change.notes ?? [])].map((text) => cell(plain(text))).join('<br>');
      lines.push(`| ${change.line} | ${verdict} | ${cell(code(change.rule))} | ${cell(code(change.object))} | ${reason} | ${rollback} |`);
    }
  }
  if (report.rollback?.zeroDowntime === false) {
    lines.push('', `**Not zero-downtime:** ${(report.rollback.downtime ?? []).map((line) => plain(line)).join('; ')}.`);
  }
  if (report.rollback) {
    const script = report.rollback.sql.trimEnd().split('\n').map(visible);
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(script.join('\n')) + 1));
    lines.push('', '<details><summary>Rollback script</summary>', '', `${fence}sql`, ...script, fence, '', '</details>');
  }
  return `${lines.join('\n')}\n`;
}

/** A code span that no backtick inside can close early (CommonMark: a longer delimiter run, padded). */
function code(text: string): string {
  const content = visible(text);
  const ticks = '`'.repeat(longestBacktickRun(content) + 1);
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/** Text with every character that Markdown or HTML would act on escaped. */
function plain(text: string): string {
  return visible(text).replace(/[\\`*_[\]<>~#&!|]/g, (character) => `\\${character}`);
}

/** Inside a table row, a `|` ends the cell even in a code span unless escaped (GFM). */
function cell(text: string): string {
  return text.replace(/(?<!\\)\|/g, '\\|');
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
