/**
 * In-file acknowledgements, the way squawk has `-- squawk-ignore`:
 *
 *   -- migcheck:acknowledge drop-column  we export the phone numbers first (JIRA-123)
 *   ALTER TABLE users DROP COLUMN phone;
 *
 * acknowledges the named rules (comma-separated, or `all`) for the statement that follows the
 * comment, or for the statement that ends on the same line before it. `migcheck:acknowledge-file`
 * acknowledges them for every statement of the file. An acknowledged change keeps its verdict
 * (the report still says it is irreversible) but no longer fails the run (`--fail-on`).
 */
import { scanSync } from '../sql/parser.js';
import type { ParsedStatement } from './parse.js';
import type { SqlText } from './sql-text.js';

export interface Acknowledgement {
  rules: string[];
  reason: string;
  line: number;
}

export interface FileDirectives {
  /** Acknowledgements for every statement of the file. */
  file: Acknowledgement[];
  /** Acknowledgements by statement index. */
  byStatement: Map<number, Acknowledgement[]>;
}

const DIRECTIVE = /migcheck:(acknowledge-file|acknowledge)\s+([A-Za-z0-9_,\- ]*?[A-Za-z0-9_\-])(?:\s+(?:--\s*)?(.*))?$/;

export function readDirectives(sql: SqlText, statements: ParsedStatement[]): FileDirectives {
  const directives: FileDirectives = { file: [], byStatement: new Map() };
  // Cheap guard: most files have no directive, and scanning costs a second pass over the text.
  if (!sql.text.includes('migcheck:')) return directives;
  let tokens;
  try {
    tokens = scanSync(sql.text).tokens;
  } catch {
    return directives; // the parser has already accepted the file; a scanner hiccup only loses directives
  }
  for (const token of tokens) {
    if (token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT') continue;
    const body = token.text.replace(/^--|^\/\*|\*\/$/g, '').trim();
    const match = DIRECTIVE.exec(body);
    if (!match) continue;
    const rules = (match[2] ?? '')
      .split(/[\s,]+/)
      .map((rule) => rule.trim())
      .filter(Boolean);
    const position = sql.positionOfByte(token.start);
    const acknowledgement: Acknowledgement = { rules, reason: (match[3] ?? '').trim(), line: position.line };
    if (match[1] === 'acknowledge-file') {
      directives.file.push(acknowledgement);
      continue;
    }
    const index = statementFor(sql, statements, token.start);
    if (index === undefined) continue;
    const list = directives.byStatement.get(index) ?? [];
    list.push(acknowledgement);
    directives.byStatement.set(index, list);
  }
  return directives;
}

/** A trailing comment on a statement's last line belongs to it; otherwise to the next statement. */
function statementFor(sql: SqlText, statements: ParsedStatement[], commentByte: number): number | undefined {
  const commentLine = sql.positionOfByte(commentByte).line;
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    const endLine = sql.positionOfByte(statement.endByte).line;
    if (commentByte >= statement.endByte && endLine === commentLine) return i;
    if (commentByte < statement.startByte) return i;
  }
  return undefined;
}

export function isAcknowledged(rule: string, acknowledgements: Acknowledgement[]): Acknowledgement | undefined {
  return acknowledgements.find((ack) => ack.rules.includes(rule) || ack.rules.includes('all'));
}
