/**
 * SQL → statements, with the real PostgreSQL parser (libpg-query, Postgres 18 grammar, WASM).
 */
import type { Node } from 'libpg-query';
import { hasSqlDetails, parseSync } from '../sql/parser.js';
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

export { loadParser } from '../sql/parser.js';

/** Watchers of the parser (tests that count how often a command parses each file). */
const parseWatchers = new Set<(path: string, text: string) => void>();

/**
 * For tests: calls `watcher` with the path and text of every SQL text parsed from now on, until the returned
 * function is called.
 */
export function watchParses(watcher: (path: string, text: string) => void): () => void {
  parseWatchers.add(watcher);
  return () => parseWatchers.delete(watcher);
}

/** A file's text with its statements. */
export interface ParsedSource {
  sql: SqlText;
  statements: ParsedStatement[];
}

/** A statement without its AST: where it is in its file and what kind it is, which is all applying the file needs. */
export interface StatementSpan extends Omit<ParsedStatement, 'node' | 'text'> {
  /** `… CONCURRENTLY` (CREATE/DROP INDEX, DETACH PARTITION, REINDEX, REFRESH): refused inside a transaction block. */
  concurrent: boolean;
}

export interface SourceSpans {
  sql: SqlText;
  spans: StatementSpan[];
}

/**
 * The statements of each source parsed in this process, keyed by the source object (a discovered migration's `up`,
 * `down`), without their ASTs: the shadow's replay and the rehearsal apply the files the analysis parsed, and a
 * long history's ASTs are not all kept at once.
 */
const spansBySource = new WeakMap<{ path: string; text: string }, SourceSpans>();

/** A migration file's statements with their ASTs (for the analysis); remembers their spans for `sourceSpans`. */
export function parseSource(source: { path: string; text: string }): ParsedSource {
  const sql = new SqlText(source.text);
  const statements = parseSql(sql, source.path);
  spansBySource.set(source, { sql, spans: statements.map(({ node, text: _text, ...span }) => ({ ...span, concurrent: runsConcurrently(node) })) });
  return { sql, statements };
}

/** A migration file's statement spans: those of its earlier parse, or parsed now. Throws InputError as parseSql does. */
export function sourceSpans(source: { path: string; text: string }): SourceSpans {
  let spans = spansBySource.get(source);
  if (!spans) {
    parseSource(source);
    spans = spansBySource.get(source)!;
  }
  return spans;
}

/** `… CONCURRENTLY`: a `concurrent` flag or a `concurrently` option anywhere in the statement's AST. */
function runsConcurrently(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(runsConcurrently);
  const record = value as Record<string, unknown>;
  if (record.concurrent === true || record.defname === 'concurrently') return true;
  return Object.values(record).some(runsConcurrently);
}

/**
 * Parses one SQL text. `path` is used for error messages only. An empty or comment-only text is
 * zero statements. Throws InputError with the line and column of a syntax error.
 */
export function parseSql(sql: SqlText, path: string): ParsedStatement[] {
  for (const watcher of parseWatchers) watcher(path, sql.text);
  if (sql.skipTrivia(0) >= sql.byteLength) return [];
  let result;
  try {
    result = parseSync(sql.text);
  } catch (error) {
    // Only the parser's verdict on the SQL is the file's fault; anything else (a parser not loaded) is migcheck's.
    if (!hasSqlDetails(error)) throw error;
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
