/**
 * Applying a migration file to a shadow database, statement by statement.
 *
 * One statement per query, in autocommit, as psql runs a file: `CREATE INDEX CONCURRENTLY` (which refuses to run
 * in a transaction block or a multi-statement query) works, and so do files that hold their own BEGIN/COMMIT.
 * Splitting uses the real Postgres parser, so dollar-quoted bodies and semicolons in strings are safe.
 */
import type pg from 'pg';
import { InputError } from '../errors.js';
import { loadParser, parseSql, type ParsedStatement } from '../source/parse.js';
import { SqlText, type Position } from '../source/sql-text.js';

/** A statement that failed to apply: where, and the server's own error. */
export interface ApplyFailure {
  path: string;
  line: number;
  column: number;
  message: string;
  /** SQLSTATE */
  code?: string;
}

/**
 * Applies SQL statement by statement; on error returns the failing statement's path:line:col (the server's error
 * `position` within the statement when given) and message. The session is left usable: a transaction the file
 * left failed is rolled back, one it left open is committed (the end of the file ends the migration).
 */
export async function applySql(client: pg.Client, source: { path: string; text: string }): Promise<ApplyFailure | undefined> {
  await loadParser();
  const sql = new SqlText(source.text);
  let statements: ParsedStatement[];
  try {
    statements = parseSql(sql, source.path);
  } catch (error) {
    if (error instanceof InputError) {
      return { path: source.path, line: error.line, column: error.column, message: error.detail };
    }
    throw error;
  }

  for (const statement of statements) {
    // Sliced from the statement's first byte, so that the server's position maps back onto the file exactly.
    const text = sql.sliceBytes(statement.startByte, statement.endByte).trimEnd();
    try {
      await client.query(text);
    } catch (error) {
      await endTransaction(client, 'ROLLBACK');
      const server = serverError(error);
      const at = positionInFile(sql, statement.startByte, text, server.position) ?? statement.position;
      return {
        path: source.path,
        line: at.line,
        column: at.column,
        message: server.message,
        ...(server.code ? { code: server.code } : {}),
      };
    }
  }
  await endTransaction(client, 'COMMIT');
  return undefined;
}

/** Ends a transaction block the file left open (or failed), if any. */
async function endTransaction(client: pg.Client, how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  const status = client.getTransactionStatus();
  if (status === 'T' || status === 'E') await client.query(how).catch(() => {});
}

interface ServerErrorFields {
  message: string;
  code?: string;
  /** 1-based character offset in the statement. */
  position?: string;
}

/** The fields of a Postgres error (pg's DatabaseError); a lost connection has only a message. */
function serverError(error: unknown): ServerErrorFields {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & { code?: unknown; position?: unknown; severity?: unknown };
  const fromServer = typeof fields.severity === 'string';
  return {
    message: error.message,
    ...(fromServer && typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(fromServer && typeof fields.position === 'string' ? { position: fields.position } : {}),
  };
}

/** The file position of the server's error cursor (counted in characters from the statement's start). */
function positionInFile(sql: SqlText, statementStartByte: number, text: string, serverPosition?: string): Position | undefined {
  const offset = Number(serverPosition);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  let bytes = 0;
  let seen = 0;
  for (const char of text) {
    if (seen >= offset - 1) break;
    seen++;
    bytes += Buffer.byteLength(char, 'utf8');
  }
  return sql.positionOfByte(statementStartByte + bytes);
}
