/**
 * The target database: the one migcheck is pointed at (production), opened read-only.
 *
 * DESIGN.md, "Safety of the target database": every statement runs in a `READ ONLY` transaction with
 * `statement_timeout` and `lock_timeout`, which is rolled back; a role that can only `SELECT` is enough; no
 * password appears in any message. One connection, one transaction at a time: concurrent callers queue.
 *
 * A server that stops answering cannot hold migcheck: connecting has a deadline, and every query a client-side
 * one (its statement timeout and a grace period); past it the connection is dropped and the run ends with
 * "stopped answering" (exit 2), never a hang.
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
  /** How long connecting (TCP, TLS, authentication) may take, ms. Default 10000. */
  connectTimeoutMs?: number;
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
  /**
   * Runs work in a READ ONLY transaction with statement_timeout and lock_timeout set (SET LOCAL), then rolls
   * back. `timeoutMs` is the statement timeout, and the most any SET LOCAL statement_timeout in `work` may set.
   */
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
const CONNECT_TIMEOUT_MS = 10_000;
/** statement_timeout of the server version query, the first question after connecting. */
const VERSION_QUERY_TIMEOUT_MS = 5_000;
/**
 * How long past its statement timeout a query's answer may take to arrive (the server cancels the statement at
 * the timeout and says so; this covers the round trip on a slow network). Past it, the server is not answering.
 */
const REPLY_GRACE_MS = 3_000;
/** How long closing the connection may take before the socket is simply dropped. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * What every transaction on the target starts with. READ ONLY: nothing can be written. application_name again,
 * locally: node-postgres lets an application_name in the URL win over ours. jit off: a probe's plan with
 * sequential scans discouraged costs more than jit_above_cost, and compiling it costs tens of milliseconds
 * more than reading a small table (set only where the setting exists). row_security off: a query whose rows
 * row-level security would filter fails instead of answering from the rows the role may see.
 */
function beginTransaction(statementTimeout: number, lockTimeout: number): string {
  return `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${statementTimeout}; SET LOCAL lock_timeout = ${lockTimeout};
    SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}; SET LOCAL application_name = 'migcheck';
    SET LOCAL row_security = off; SELECT set_config('jit', 'off', true) WHERE current_setting('jit', true) IS NOT NULL`;
}

export async function openTarget(options: TargetOptions): Promise<Target> {
  const settings = settingsOf(options);
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new MigcheckError(`connectTimeoutMs must be a positive number of milliseconds, got ${connectTimeoutMs}`);
  }
  const url = options.url;
  const where = redactUrl(url);
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      application_name: 'migcheck',
      connectionTimeoutMillis: Math.ceil(connectTimeoutMs),
      keepAlive: true,
    });
  } catch (error) {
    throw new MigcheckError(`cannot connect to the target database ${where}: ${scrubbedMessage(error, url)}`);
  }
  // Without a listener, a connection the server ends while idle is an uncaught 'error' event; the next query
  // reports it instead.
  client.on('error', () => {});
  const drop = () => destroyConnection(client);
  try {
    // node-postgres's own timeout covers connecting; the deadline around it is the wall-clock guard.
    await withDeadline(client.connect(), connectTimeoutMs + REPLY_GRACE_MS, drop);
  } catch (error) {
    drop();
    const reason = error instanceof DeadlineExceeded || /timeout/i.test(String((error as Error)?.message)) ? `no answer within ${connectTimeoutMs} ms` : scrubbedMessage(error, url);
    throw new MigcheckError(`cannot connect to the target database ${where}: ${reason}`);
  }

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** Set once the server failed to answer in time: the connection is gone, every later call says why. */
  let silence: MigcheckError | null = null;

  const readOnly = <T>(work: (client: pg.ClientBase) => Promise<T>, timeoutMs?: number): Promise<T> => {
    const statementTimeout = integer(timeoutMs ?? (settings.exact ? settings.exactTimeoutMs : settings.probeTimeoutMs));
    // Below the statement timeout, so that waiting for a lock is reported as such.
    const lockTimeout = Math.min(integer(settings.lockTimeoutMs), Math.max(1, statementTimeout - 1));
    const replyDeadline = statementTimeout + REPLY_GRACE_MS;
    const next = queue.then(async () => {
      if (silence) throw silence;
      if (closed) throw new MigcheckError(`the connection to the target database ${where} is closed`);
      const guarded = withReplyDeadline(client, replyDeadline, () => {
        silence ??= new MigcheckError(`the target database ${where} stopped answering: no reply within ${replyDeadline} ms`);
        drop();
        return silence;
      });
      try {
        await guarded.query(beginTransaction(statementTimeout, lockTimeout));
      } catch (error) {
        await guarded.query('ROLLBACK').catch(() => {});
        throw silence ?? asTargetError(error, url, where);
      }
      let result: T;
      try {
        result = await work(guarded);
      } catch (error) {
        await guarded.query('ROLLBACK').catch(() => {});
        throw silence ?? (isConnectionError(error) ? asTargetError(error, url, where) : error);
      }
      try {
        await guarded.query('ROLLBACK');
      } catch (error) {
        throw silence ?? asTargetError(error, url, where);
      }
      return result;
    });
    queue = next.catch(() => {});
    return next;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await queue;
    // A silent server never acknowledges the goodbye: the wall-clock guard drops the socket.
    await withDeadline(client.end(), CLOSE_TIMEOUT_MS, drop).catch(drop);
  };

  let serverVersionNum: number;
  try {
    // No session-level SET: behind a pooler in transaction mode (PgBouncer), a session setting would stay on a
    // server connection that the application uses next. Everything is set per transaction, in readOnly().
    serverVersionNum = await readOnly(
      async (session) => (await session.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`)).rows[0]!.version,
      VERSION_QUERY_TIMEOUT_MS,
    );
  } catch (error) {
    await close();
    if (error instanceof MigcheckError) throw error;
    throw new MigcheckError(`cannot use the target database ${where}: ${scrubbedMessage(error, url)}`);
  }

  return {
    readOnly,
    serverVersionNum,
    settings: Object.freeze({ ...settings }),
    close,
  };
}

class DeadlineExceeded extends Error {}

/** `promise`, or a rejection (after `onExpiry`) when it has not settled within `ms`. */
function withDeadline<T>(promise: Promise<T>, ms: number, onExpiry: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onExpiry();
      reject(new DeadlineExceeded(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/**
 * The client as `work` sees it: every query has a client-side deadline. node-postgres's own query_timeout
 * leaves the connection waiting for the late answer (every later query queues behind it), so past the deadline
 * the connection is dropped instead, and the query fails with the error `onSilence` returns.
 */
function withReplyDeadline(client: pg.Client, deadlineMs: number, onSilence: () => MigcheckError): pg.ClientBase {
  const query = (...args: unknown[]): unknown => {
    const pending = (client.query as (...queryArgs: unknown[]) => unknown)(...args);
    if (!(pending instanceof Promise)) return pending; // a Submittable (cursor), which migcheck does not use
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onSilence()), deadlineMs);
    });
    return Promise.race([pending, silence]).finally(() => clearTimeout(timer));
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Ends the connection at once, without the goodbye a silent server would never acknowledge. */
function destroyConnection(client: pg.Client): void {
  // `connection.stream` is node-postgres's socket; @types/pg does not declare it.
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
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
