/**
 * The target database: the one migcheck is pointed at (production), opened read-only.
 *
 * DESIGN.md, "Safety of the target database": every statement runs in a `READ ONLY` transaction with
 * `statement_timeout` and `lock_timeout`, which is rolled back; a role that can only `SELECT` is enough; no
 * password appears in any message. One connection, one transaction at a time: concurrent callers queue.
 */
import pg from 'pg';
import { MigcheckError } from '../errors.js';
import { redactUrl, scrubbedMessage } from '../shadow/connection.js';

export interface TargetOptions {
  /** postgres:// URL; sslmode etc. in the URL work as node-postgres supports them. */
  url: string;
  /** Per-probe statement_timeout for the default (bounded) checks, ms. Default 100. */
  probeTimeoutMs?: number;
  /** statement_timeout for exact checks (--exact), ms. Default 60000. */
  exactTimeoutMs?: number;
  /** lock_timeout for every probe, ms. Default 50. */
  lockTimeoutMs?: number;
  /** Run exact full checks instead of statistics/index/bounded queries. Default false. */
  exact?: boolean;
}

/** The options of a target, with their defaults filled in. */
export interface ProbeSettings {
  probeTimeoutMs: number;
  exactTimeoutMs: number;
  lockTimeoutMs: number;
  exact: boolean;
}

export const DEFAULT_PROBE_SETTINGS: Readonly<ProbeSettings> = Object.freeze({
  probeTimeoutMs: 100,
  exactTimeoutMs: 60_000,
  lockTimeoutMs: 50,
  exact: false,
});

export interface Target {
  /** Runs work in a READ ONLY transaction with statement_timeout and lock_timeout set (SET LOCAL), then rolls back. */
  readOnly<T>(work: (client: pg.ClientBase) => Promise<T>, timeoutMs?: number): Promise<T>;
  serverVersionNum: number;
  close(): Promise<void>;
  /** How the probes on this target are bounded (absent on a hand-made Target: the defaults apply). */
  readonly settings?: Readonly<ProbeSettings>;
}

/**
 * A session that ends up idle inside a transaction (a caller's `work` that hangs between statements) would keep
 * its locks, which block DDL and everything queued behind it: the server ends it after this long.
 */
const IDLE_IN_TRANSACTION_MS = 30_000;
const CONNECT_TIMEOUT_MS = 15_000;

export async function openTarget(options: TargetOptions): Promise<Target> {
  const settings = settingsOf(options);
  const url = options.url;
  const where = redactUrl(url);
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      application_name: 'migcheck',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
  } catch (error) {
    throw new MigcheckError(`cannot connect to the target database ${where}: ${scrubbedMessage(error, url)}`);
  }
  // Without a listener, a connection the server ends while idle is an uncaught 'error' event; the next query
  // reports it instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new MigcheckError(`cannot connect to the target database ${where}: ${scrubbedMessage(error, url)}`);
  }

  let serverVersionNum: number;
  try {
    // No session-level SET: behind a pooler in transaction mode (PgBouncer), a session setting would stay on a
    // server connection that the application uses next. Everything is set per transaction, in readOnly().
    const { rows } = await client.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
    serverVersionNum = rows[0]!.version;
  } catch (error) {
    await client.end().catch(() => {});
    throw new MigcheckError(`cannot use the target database ${where}: ${scrubbedMessage(error, url)}`);
  }

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const readOnly = <T>(work: (client: pg.ClientBase) => Promise<T>, timeoutMs?: number): Promise<T> => {
    const statementTimeout = integer(timeoutMs ?? (settings.exact ? settings.exactTimeoutMs : settings.probeTimeoutMs));
    // Below the statement timeout, so that waiting for a lock is reported as such.
    const lockTimeout = Math.min(integer(settings.lockTimeoutMs), Math.max(1, statementTimeout - 1));
    const next = queue.then(async () => {
      if (closed) throw new MigcheckError(`the connection to the target database ${where} is closed`);
      try {
        // application_name again, locally: node-postgres lets an application_name in the URL win over ours.
        await client.query(
          `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${statementTimeout}; SET LOCAL lock_timeout = ${lockTimeout};
           SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}; SET LOCAL application_name = 'migcheck'`,
        );
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw asTargetError(error, url, where);
      }
      let result: T;
      try {
        result = await work(client);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw isConnectionError(error) ? asTargetError(error, url, where) : error;
      }
      try {
        await client.query('ROLLBACK');
      } catch (error) {
        throw asTargetError(error, url, where);
      }
      return result;
    });
    queue = next.catch(() => {});
    return next;
  };

  return {
    readOnly,
    serverVersionNum,
    settings: Object.freeze({ ...settings }),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await client.end().catch(() => {});
    },
  };
}

function settingsOf(options: TargetOptions): ProbeSettings {
  const positive = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value <= 0) throw new MigcheckError(`${name} must be a positive number of milliseconds, got ${value}`);
    return value;
  };
  return {
    probeTimeoutMs: positive(options.probeTimeoutMs, DEFAULT_PROBE_SETTINGS.probeTimeoutMs, 'probeTimeoutMs'),
    exactTimeoutMs: positive(options.exactTimeoutMs, DEFAULT_PROBE_SETTINGS.exactTimeoutMs, 'exactTimeoutMs'),
    lockTimeoutMs: positive(options.lockTimeoutMs, DEFAULT_PROBE_SETTINGS.lockTimeoutMs, 'lockTimeoutMs'),
    exact: options.exact ?? DEFAULT_PROBE_SETTINGS.exact,
  };
}

/** A whole number of milliseconds, at least 1: 0 would switch statement_timeout off. */
export function integer(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/** A SQLSTATE: five digits or capitals. Node's own errors (ECONNRESET) are longer. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** node-postgres's and Node's ways of saying the connection is gone. */
function isConnectionError(error: unknown): boolean {
  if (sqlState(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /connection terminated|not queryable|connection error|query read timeout/i.test(message);
}

/**
 * Errors from the server (they carry a SQLSTATE) pass unchanged, for the probes to classify; anything else (the
 * connection is gone) becomes a MigcheckError without secrets.
 */
function asTargetError(error: unknown, url: string, where: string): unknown {
  if (sqlState(error) || error instanceof MigcheckError) return error;
  return new MigcheckError(`lost the connection to the target database ${where}: ${scrubbedMessage(error, url)}`);
}
