import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { inertJson, inertJsonPieces } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';
import type { Report } from './schema.js';
import { formatSql } from './sql.js';
import { formatText } from './text.js';
import { formatVerify } from './verify.js';

// `verify`: the rollback's verification queries alone (./verify.ts); not the `verify` command.
export const FORMATS = ['text', 'json', 'sql', 'sarif', 'github', 'gitlab', 'markdown', 'verify'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  /** ANSI colours in text output (the CLI turns them on for a TTY only). */
  color?: boolean;
}

/**
 * formatReport in pieces that join to the same text: JSON one migration at a time (a CLI writes them as they come, so
 * a history of thousands of migrations is never one string); the other formats in one piece.
 */
export function* formatReportPieces(report: Report, format: Format, options: FormatOptions = {}): Generator<string> {
  if (format === 'json') yield* inertJsonPieces(report as unknown as Record<string, unknown>);
  else yield formatReport(report, format, options);
}

export function formatReport(report: Report, format: Format, options: FormatOptions = {}): string {
  switch (format) {
    case 'json':
      return inertJson(report);
    case 'sql':
      return formatSql(report);
    case 'sarif':
      return formatSarif(report);
    case 'github':
      return formatGithub(report);
    case 'gitlab':
      return formatGitlab(report);
    case 'markdown':
      return formatMarkdown(report);
    case 'verify':
      return formatVerify(report);
    default:
      return formatText(report, { color: options.color ?? false, includeScript: report.command !== 'lint' });
  }
}

