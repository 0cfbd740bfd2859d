/**
 * SQL → statements, with the real PostgreSQL parser (libpg-query, Postgres 18 grammar, WASM).
 */
import { loadModule, parseSync, type Node } from 'libpg-query';
import { InputError } from '../errors.js';
import { SqlText, type Position } from './sql-text.js';

export interface ParsedStatement {
  /** The statement's AST: a one-key object such as `{ AlterTableStmt: {...} }`. */
  node: Node;
  /** The node tag, e.g. `AlterTableStmt`. */
  tag: string;
  /** The statement's source text (from its first keyword, without the trailing semicolon). */
  text: string;
  /** Byte offset of the first keyword; node `location`s are byte offsets in the same text. */
  startByte: number;
  endByte: number;
  position: Position;
}

let parserReady: Promise<void> | undefined;

/** The parser is WASM: it loads once per process (~50 ms), on first use. */
export function loadParser(): Promise<void> {
  parserReady ??= loadModule();
  return parserReady;
}

/**
 * Parses one SQL text. `path` is used for error messages only. An empty or comment-only text is
 * zero statements. Throws InputError with the line and column of a syntax error.
 */
export function parseSql(sql: SqlText, path: string): ParsedStatement[] {
  if (sql.skipTrivia(0) >= sql.byteLength) return [];
  let result;
  try {
    result = parseSync(sql.text);
  } catch (error) {
    throw toInputError(error, sql, path);
  }
  const statements: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const spanStart = raw.stmt_location ?? 0;
    const spanEnd = raw.stmt_len ? spanStart + raw.stmt_len : sql.byteLength;
    const startByte = sql.skipTrivia(spanStart, spanEnd);
    const tag = Object.keys(raw.stmt)[0] ?? 'Unknown';
    statements.push({
      node: raw.stmt,
      tag,
      text: sql.sliceBytes(startByte, spanEnd).trim(),
      startByte,
      endByte: spanEnd,
      position: sql.positionOfByte(startByte),
    });
  }
  return statements;
}

function toInputError(error: unknown, sql: SqlText, path: string): InputError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  const cursor = details?.cursorPosition ?? 0;
  const at = sql.positionOfCodePoint(cursor);
  const rest = sql.sliceBytes(sql.byteOfCodePoint(cursor));
  if (rest.startsWith('\\')) {
    const command = rest.split(/\s/, 1)[0] ?? '\\';
    return new InputError(
      path,
      at.line,
      at.column,
      `psql meta-command ${command} is not SQL; migcheck reads plain SQL migrations (run psql-only steps outside the migration)`,
    );
  }
  return new InputError(path, at.line, at.column, oneLine(message));
}

/**
 * Postgres quotes the rest of the text after "at or near": for an unterminated comment or string, that is the
 * rest of the file. An error is one line: the quote keeps its first line, at most 40 characters.
 */
function oneLine(message: string): string {
  return message.replace(/ at or near "([\s\S]*)"$/, (_whole, near: string) => {
    const first = [...(near.split(/\r?\n/, 1)[0] ?? '').trimEnd()];
    const cut = first.length > 40 || near.trimEnd().includes('\n');
    return ` at or near "${first.slice(0, 40).join('')}${cut ? '…' : ''}"`;
  });
}
