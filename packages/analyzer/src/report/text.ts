/**
 * The text report: what a person reads in a terminal or a CI log. Colour only when asked (a TTY).
 * Paths, names, reasons and server messages come from untrusted input: every one is printed through
 * `visible`, so no line break forges a line and no escape sequence reaches the terminal.
 */
import type { Verdict } from '../changes/types.js';
import { visible } from '../sql/visible.js';
import type { ChangeReport, MigrationReport, Report } from './schema.js';

export interface TextOptions {
  color: boolean;
  /** Print the rollback script after the findings (`plan`). */
  includeScript: boolean;
}

const COLOURS: Record<Verdict, string> = { safe: '\x1b[32m', risky: '\x1b[33m', irreversible: '\x1b[31m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function formatText(report: Report, options: TextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const verdict = (value: Verdict) => paint(COLOURS[value], value === 'safe' ? value : value.toUpperCase());
  const lines: string[] = [];

  for (const migration of report.migrations) {
    const state = migration.stateReason ? `  ${paint(DIM, `${migration.state} (${visible(migration.stateReason)})`)}` : '';
    lines.push(`${paint(BOLD, visible(migration.path))}  ${verdict(migration.verdict)}${state}`);
    if (migration.changes.length === 0) {
      lines.push(`  ${paint(DIM, migration.statements === 0 ? 'no statements' : 'no schema or data changes')}`);
    }
    for (const change of migration.changes) lines.push(...formatChange(change, verdict, paint));
    lines.push(...formatEvidence(migration, paint));
    lines.push('');
  }

  const { summary } = report;
  const counts = `${summary.changes} change${summary.changes === 1 ? '' : 's'} in ${summary.migrations} migration${summary.migrations === 1 ? '' : 's'}: ${summary.safe} safe, ${summary.risky} risky, ${summary.irreversible} irreversible${summary.acknowledged ? ` (${summary.acknowledged} acknowledged)` : ''}.`;
  const outcome =
    report.outcome === 'forward-fix-only'
      ? 'forward fix only: at least one change cannot be rolled back'
      : report.verdict === 'risky'
        ? 'rollback possible with care: back up first where the reasons say so'
        : 'rollback is safe';
  lines.push(`${paint(BOLD, 'Verdict:')} ${verdict(report.verdict)} — ${outcome}.`, counts);
  if (report.acceptance === 'needed') {
    lines.push('Acceptable risk? Not answered: the risky steps (backups first) run only once someone accepts the risk (--accept-risk); otherwise fix forward.');
  } else if (report.acceptance === 'accepted') {
    lines.push('Risk accepted (--accept-risk): run the backups in the script before the steps that destroy data.');
  }
  if (report.rollback?.zeroDowntime === false) {
    lines.push(`Not zero-downtime: ${(report.rollback.downtime ?? []).map(visible).join('; ')}.`);
  }

  if (options.includeScript) {
    lines.push('');
    if (report.rollback) {
      // The script's own lines are kept; a line break inside one of its quoted tokens shows as a line too.
      lines.push(paint(BOLD, 'Rollback script:'), '', ...report.rollback.sql.trimEnd().split('\n').map(visible));
    } else {
      lines.push(paint(BOLD, 'No rollback script:'), 'forward fix only (see the options above).');
    }
  }
  return `${lines.join('\n')}\n`;
}

type Paint = (code: string, text: string) => string;

/** Where the prior schema came from, and what the rehearsal showed. */
function formatEvidence(migration: MigrationReport, paint: Paint): string[] {
  const lines: string[] = [];
  const label = (text: string) => `  ${paint(DIM, text)}`;
  for (const note of migration.notes ?? []) lines.push(`${label('note:')} ${visible(note)}`);
  if (migration.history?.failure) {
    // Each change says it too (its notes); here, once, where the replay stopped and what would help.
    lines.push(`${label('prior schema unknown:')} the history could not be replayed (${visible(migration.history.failure)}); verdicts rest on the statements alone`);
    if (migration.history.hint) lines.push(`${label('hint:')} ${visible(migration.history.hint)}`);
  } else if (migration.history) {
    const { replayed, cached } = migration.history;
    lines.push(`${label('prior schema:')} ${replayed} earlier migration${replayed === 1 ? '' : 's'} replayed in the shadow database${cached ? ' (from the cache)' : ''}`);
  }
  const rehearsal = migration.rehearsal;
  if (!rehearsal) return lines;
  if (rehearsal.failure && !rehearsal.restored) {
    lines.push(`${label('rehearsal:')} ${paint(COLOURS.risky, 'FAILED')} ${visible(rehearsal.failure)}`);
  } else if (rehearsal.restored) {
    lines.push(`${label('rehearsal:')} ${paint(COLOURS.safe, 'the rollback restored the schema exactly')}`);
  } else {
    lines.push(`${label('rehearsal:')} ${paint(COLOURS.risky, 'the rollback did not restore the schema:')}`, ...rehearsal.differences.map((line) => `    ${visible(line)}`));
  }
  if (rehearsal.seeded?.failure) lines.push(`${label('with seeded rows:')} ${visible(rehearsal.seeded.failure)}`);
  const down = rehearsal.down;
  if (down) {
    const verdict = down.failure ? `FAILED ${visible(down.failure)}` : down.restored ? 'restores the schema' : 'does not restore the schema:';
    lines.push(`${label(`down (${visible(down.path)}):`)} ${verdict}`, ...(down.restored || down.failure ? [] : down.differences.map((line) => `    ${visible(line)}`)));
    for (const destroyed of down.destroys) lines.push(`    destroys: ${visible(destroyed)}`);
  }
  return lines;
}

function formatChange(change: ChangeReport, verdict: (value: Verdict) => string, paint: (code: string, text: string) => string): string[] {
  const where = `${change.line}:${change.column}`.padEnd(7);
  const label = verdict(change.verdict);
  const pad = ' '.repeat(Math.max(1, 13 - change.verdict.length));
  const acknowledged = change.acknowledged ? paint(DIM, ' (acknowledged)') : '';
  const evidence = paint(DIM, ` [${change.evidence}]`);
  const lines = [`  ${where}${label}${pad}${change.rule.padEnd(19)} ${visible(change.object)}${evidence}${acknowledged}`];
  const indent = '         ';
  lines.push(`${indent}${visible(change.reason)}`);
  if (change.rollback.length > 0) {
    // A multi-line statement (a view's definition) continues on indented lines, never at a finding's margin.
    const [first = '', ...rest] = change.rollback.join(' ').split('\n');
    lines.push(`${indent}${paint(DIM, 'rollback:')} ${visible(first)}`, ...rest.map((line) => `${indent}  ${visible(line)}`));
  }
  for (const note of change.notes ?? []) lines.push(`${indent}${paint(DIM, 'note:')} ${visible(note)}`);
  if (change.options) {
    lines.push(`${indent}${paint(DIM, 'options:')}`);
    change.options.forEach((option, index) => lines.push(`${indent}  ${index + 1}. ${visible(option)}`));
  }
  return lines;
}
