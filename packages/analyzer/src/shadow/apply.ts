/**
 * Applying a migration file to a shadow database, statement by statement.
 *
 * One statement per query, in autocommit, as psql runs a file: `CREATE INDEX CONCURRENTLY` (which refuses to run
 * in a transaction block or a multi-statement query) works, and so do files that hold their own BEGIN/COMMIT.
 * Splitting uses the real Postgres parser, so dollar-quoted bodies and semicolons in strings are safe.
 *
 * A file that runs as one transaction of migcheck's own goes first as a few multi-statement queries (a replay of a
 * long history is mostly round trips otherwise); if that fails, it is rolled back and applied again statement by
 * statement, which says which statement failed and where.
 */
import type pg from 'pg';
import { InputError, MigcheckError } from '../errors.js';
import { loadParser, sourceSpans, type StatementSpan } from '../source/parse.js';
import { SqlText, type Position } from '../source/sql-text.js';
import { sandboxForm } from './sandbox-forms.js';
import { sessionForm } from './session-forms.js';

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
 * `position` within the statement when given) and message. Throws (MigcheckError) only when the connection is
 * lost: that says nothing about the SQL.
 *
 * Transactions: called inside the caller's transaction (a rehearsal in a savepoint), it leaves that transaction to
 * the caller, failed or not. Called outside one, it leaves the session as it found it: a transaction the file
 * opened and left failed is rolled back, one it left open is committed (the end of the file ends the migration).
 */
export interface ApplyOptions {
  /**
   * Run the file as one transaction, as its migration tool does (diesel, goose, dbmate, Flyway, sqlx; golang-migrate's
   * single multi-statement query is one implicit transaction): a failure then leaves nothing of the file behind, and
   * statements that need a transaction block (`LOCK TABLE`) work. Ignored when the file manages its own transactions
   * or holds a statement that cannot run inside one (`… CONCURRENTLY`, `VACUUM`).
   */
  transaction?: boolean;
  /**
   * Called before each statement runs, with its index among the file's statements: the schema within a migration
   * is read there (./session.ts, snapshotsWithin).
   */
  beforeStatement?: (index: number) => Promise<void>;
}

export async function applySql(client: pg.Client, source: { path: string; text: string }, options: ApplyOptions = {}): Promise<ApplyFailure | undefined> {
  await loadParser();
  let sql: SqlText;
  let statements: StatementSpan[];
  try {
    // The file as the analysis parsed it, when it did (one parse per file per command).
    ({ sql, spans: statements } = sourceSpans(source));
  } catch (error) {
    if (error instanceof InputError) {
      return { path: source.path, line: error.line, column: error.column, message: error.detail };
    }
    throw error;
  }

  const callerTransaction = client.getTransactionStatus() !== 'I';
  const wrap = options.transaction === true && !callerTransaction && statements.every(canRunInTransaction);
  if (wrap && !options.beforeStatement && (await appliedInBatches(client, source, sql, statements))) return undefined;
  if (wrap) await client.query('BEGIN');
  for (const [index, statement] of statements.entries()) {
    await options.beforeStatement?.(index);
    // Sliced from the statement's first byte, so that the server's position maps back onto the file exactly.
    const text = sql.sliceBytes(statement.startByte, statement.endByte).trimEnd();
    try {
      await runStatement(client, statement.tag, text);
    } catch (error) {
      const server = serverError(error);
      if (!server) {
        throw connectionLost(source.path, error);
      }
      // Unconditionally: pg updates the transaction status only at the next ReadyForQuery, so after an error it is
      // stale. Without a transaction, ROLLBACK is only a warning.
      if (!callerTransaction) await client.query('ROLLBACK').catch(() => {});
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
  // After a success the status is current. A file that opened a transaction and did not close it: commit it.
  if (!callerTransaction && client.getTransactionStatus() === 'T') await client.query('COMMIT');
  return undefined;
}

/**
 * The file in one transaction, its statements sent as multi-statement queries (the statements with a sandbox or a
 * session form one by one). True when it committed; false when a statement failed: rolled back, nothing of it is left.
 */
async function appliedInBatches(
  client: pg.Client,
  source: { path: string },
  sql: SqlText,
  statements: readonly StatementSpan[],
): Promise<boolean> {
  const textOf = (first: StatementSpan, last: StatementSpan) => sql.sliceBytes(first.startByte, last.endByte).trimEnd();
  const batches: Array<{ statements: StatementSpan[]; alone: boolean }> = [];
  for (const statement of statements) {
    const text = textOf(statement, statement);
    const alone = sandboxForm(statement.tag, text) !== undefined || sessionForm(statement.tag, text) !== undefined;
    const last = batches.at(-1);
    if (alone || !last || last.alone) batches.push({ statements: [statement], alone });
    else last.statements.push(statement);
  }
  // BEGIN and COMMIT go in the first and last batches' queries when they can: a round trip costs both processes a
  // write, a read and a wake-up, and most files are one batch (Lemmy: 1,070 round trips fewer in a cold lint).
  const beginsAlone = batches[0]!.alone;
  const commitsAlone = batches.at(-1)!.alone;
  try {
    if (beginsAlone) await client.query('BEGIN');
    for (const [index, batch] of batches.entries()) {
      const first = batch.statements[0]!;
      const text = textOf(first, batch.statements.at(-1)!);
      if (batch.alone) await runStatement(client, first.tag, text);
      else await client.query(`${index === 0 ? 'BEGIN;\n' : ''}${text}${index === batches.length - 1 ? '\n;\nCOMMIT' : ''}`);
    }
    if (commitsAlone) await client.query('COMMIT');
  } catch (error) {
    if (!serverError(error)) {
      throw connectionLost(source.path, error);
    }
    await client.query('ROLLBACK');
    return false;
  }
  return true;
}

/**
 * Runs one statement; one that Postgres refuses the sandbox role for want of privilege runs in its sandbox form
 * (./sandbox-forms.ts) when it has one. Inside a transaction, a savepoint keeps the refusal from aborting it; only
 * statements that have a sandbox form pay for it. A statement with a session form (./session-forms.ts) always
 * runs in it.
 */
async function runStatement(client: pg.Client, tag: string, text: string): Promise<void> {
  const ownForm = sessionForm(tag, text);
  if (ownForm !== undefined) {
    // A failure is reported at the statement as written: the form's position would point elsewhere.
    await client.query(ownForm).catch((failure: unknown) => Promise.reject(withoutPosition(failure)));
    return;
  }
  const form = sandboxForm(tag, text);
  if (!form) {
    await client.query(text);
    return;
  }
  const inTransaction = client.getTransactionStatus() !== 'I';
  if (inTransaction) await client.query(`SAVEPOINT ${SANDBOX_FORM_SAVEPOINT}`);
  try {
    await client.query(text);
  } catch (error) {
    if (serverError(error)?.code !== INSUFFICIENT_PRIVILEGE) throw error;
    if (inTransaction) await client.query(`ROLLBACK TO SAVEPOINT ${SANDBOX_FORM_SAVEPOINT}`);
    // A failure of the replacement is reported at the statement as written: its cursor would point elsewhere.
    if (form.replacement !== undefined) await client.query(form.replacement).catch((failure: unknown) => Promise.reject(withoutPosition(failure)));
  }
  if (inTransaction) await client.query(`RELEASE SAVEPOINT ${SANDBOX_FORM_SAVEPOINT}`);
}

function withoutPosition(error: unknown): unknown {
  if (error instanceof Error && 'position' in error) delete (error as { position?: unknown }).position;
  return error;
}

const SANDBOX_FORM_SAVEPOINT = 'migcheck_sandbox_form';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Whether the file can run inside a transaction of the caller's that is then rolled back: no statement manages
 * transactions or refuses a transaction block. Throws InputError when the file does not parse.
 */
export async function runsInCallersTransaction(source: { path: string; text: string }): Promise<boolean> {
  await loadParser();
  return sourceSpans(source).spans.every(canRunInTransaction);
}

/** Statements that manage transactions themselves or refuse to run inside a transaction block. */
const OUTSIDE_TRANSACTION_TAGS = new Set(['TransactionStmt', 'VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt']);

function canRunInTransaction(statement: StatementSpan): boolean {
  // CONCURRENTLY (index builds and drops, REINDEX, DETACH PARTITION) refuses a transaction block.
  return !OUTSIDE_TRANSACTION_TAGS.has(statement.tag) && !statement.concurrent;
}

interface ServerErrorFields {
  message: string;
  code?: string;
  /** 1-based character offset in the statement. */
  position?: string;
}

/** The fields of an error the server sent (pg's DatabaseError, which has a severity); undefined for any other. */
function serverError(error: unknown): ServerErrorFields | undefined {
  if (!(error instanceof Error)) return undefined;
  const fields = error as Error & { code?: unknown; position?: unknown; severity?: unknown };
  if (typeof fields.severity !== 'string') return undefined;
  return {
    message: error.message,
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.position === 'string' ? { position: fields.position } : {}),
  };
}

/** Not the statement's fault: the connection is gone (server stopped, network). Nothing to report on the file. */
function connectionLost(path: string, error: unknown): MigcheckError {
  return new MigcheckError(`the shadow database connection was lost while applying ${path}: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
