/**
 * What a probe answers, and the bookkeeping every probe shares: its time budget, its read-only steps, and the
 * mapping of what went wrong (a timeout, a lock not granted, a permission refused) to an honest "unknown".
 */
import type pg from 'pg';
import { MigcheckError } from '../errors.js';
import { DEFAULT_PROBE_SETTINGS, sqlState, type ProbeSettings, type Target } from './target.js';

export type Answer = 'yes' | 'no' | 'unknown';

export type Method = 'statistics' | 'index' | 'exact' | 'bounded' | 'timeout' | 'refused' | 'missing';

export interface Finding {
  answer: Answer;
  /**
   * How it was decided. 'timeout' (statement_timeout, or lock_timeout: a lock not granted in time) and 'refused'
   * (permission denied, or Postgres refused the query) always have answer 'unknown', as 'missing' does.
   */
  method: Method;
  ms: number;
  /** One sentence a person reads: "pg_stats says 0 % NULL (analyzed 2026-11-20)", "found a value 2147483648 beyond integer". */
  detail: string;
}

/** Why a step did not complete. */
export interface Failure {
  kind: 'timeout' | 'lock' | 'refused' | 'rls' | 'missing' | 'data' | 'undefined-operator' | 'other';
  code: string;
  message: string;
  /** The statement timeout the step ran under (for a timeout: what it did not finish within). */
  timeoutMs?: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/**
 * What a step reads: 'catalog' (the catalog, pg_stats, a table's size: no table data, not bounded by the probe's
 * budget), 'scan' (table data, bounded by what is left of the budget), 'small' (every row of a table so small
 * that reading it whole is trivially cheap: decided exactly, whatever is left of the budget).
 */
export type StepKind = 'catalog' | 'scan' | 'small';

/**
 * Catalog look-ups (they read no table of the user's) get this long, whatever the probe's budget: on a busy
 * server a cold catalog cache alone can take tens of milliseconds.
 */
const CATALOG_TIMEOUT_MS = 5_000;
/**
 * Reading a small table whole (SMALL_TABLE_BYTES, decide.ts) takes a millisecond on an idle server; this long
 * only on a machine so busy that the answer would otherwise be "unknown" for no reason.
 */
const SMALL_TABLE_TIMEOUT_MS = 5_000;
/** A query on the table always gets at least this long (or the whole budget, when it is smaller). */
const SCAN_FLOOR_MS = 20;
/**
 * What the last step of a bounded probe leaves for the round trips around it (the error coming back, the
 * ROLLBACK), so that a probe that runs out of time still ends within its budget.
 */
const FINISH_MARGIN_MS = 10;

export class ProbeRun {
  readonly settings: ProbeSettings;
  /**
   * When the probe's first transaction began: the reported time starts there, not while the probe waited for
   * the connection behind other probes.
   */
  private started: number | null = null;
  /** When the probe first read table data within its budget: the budget starts there, not at the catalog. */
  private budgetStarted: number | null = null;

  constructor(readonly target: Target) {
    this.settings = { ...DEFAULT_PROBE_SETTINGS, ...target.settings };
  }

  private left(): number {
    return this.budgetStarted === null ? this.settings.probeTimeoutMs : this.budgetStarted + this.settings.probeTimeoutMs - performance.now();
  }

  get exact(): boolean {
    return this.settings.exact;
  }

  /** How a completed query on the table is labelled: an exact check with --exact, else one bounded by the budget. */
  get scanMethod(): 'exact' | 'bounded' {
    return this.exact ? 'exact' : 'bounded';
  }

  get serverVersionNum(): number {
    return this.target.serverVersionNum;
  }

  elapsed(): number {
    return this.started === null ? 0 : performance.now() - this.started;
  }

  /**
   * Whether a bounded probe still has time for another query on the table. Optional steps ask first; the query
   * that decides always runs, with at least SCAN_FLOOR_MS.
   */
  hasTime(): boolean {
    return this.exact || this.left() > FINISH_MARGIN_MS + 1;
  }

  /** One read-only transaction; server errors come back as a Failure, the connection's own errors are thrown. */
  async step<T>(work: (client: pg.ClientBase) => Promise<T>, kind: StepKind = 'scan'): Promise<Outcome<T>> {
    const timeoutMs = this.timeout(kind);
    try {
      const value = await this.target.readOnly((client) => {
        const now = performance.now();
        this.started ??= now;
        if (kind === 'scan') this.budgetStarted ??= now;
        return work(client);
      }, timeoutMs);
      return { ok: true, value };
    } catch (error) {
      const code = sqlState(error);
      if (!code) throw error;
      // The server ending the session (shutdown, pg_terminate_backend) or a broken connection: nothing more to ask.
      if (code.startsWith('08') || code.startsWith('57P')) {
        throw new MigcheckError(`lost the connection to the target database: ${error instanceof Error ? error.message : String(error)}`);
      }
      const failure = classify(code, error instanceof Error ? error.message : String(error));
      return { ok: false, failure: { ...failure, timeoutMs: kind === 'scan' && !this.exact ? this.settings.probeTimeoutMs : timeoutMs } };
    }
  }

  /** statement_timeout for a query on the table that starts now (what is left of the budget). */
  scanTimeout(): number {
    return Math.ceil(this.timeout('scan'));
  }

  private timeout(kind: StepKind): number {
    if (this.exact) return this.settings.exactTimeoutMs;
    if (kind === 'catalog') return Math.max(CATALOG_TIMEOUT_MS, this.settings.probeTimeoutMs);
    if (kind === 'small') return Math.max(SMALL_TABLE_TIMEOUT_MS, this.settings.probeTimeoutMs);
    return Math.max(Math.min(SCAN_FLOOR_MS, this.settings.probeTimeoutMs), this.left() - FINISH_MARGIN_MS);
  }

  /** The probe's answer, with the time it took. */
  finish(answer: Answer, method: Method, detail: string): Finding {
    if (method === 'timeout' || method === 'refused' || method === 'missing') answer = 'unknown';
    return { answer, method, ms: Math.round(this.elapsed() * 100) / 100, detail };
  }

  missing(detail: string): Finding {
    return this.finish('unknown', 'missing', detail);
  }

  /** The honest answer when a step did not complete: unknown, saying why. */
  failed(failure: Failure, what: string, hint?: string): Finding {
    const tail = hint ? `; ${hint}` : '';
    switch (failure.kind) {
      case 'timeout': {
        const within = failure.timeoutMs ?? (this.exact ? this.settings.exactTimeoutMs : this.settings.probeTimeoutMs);
        return this.finish(
          'unknown',
          'timeout',
          this.exact
            ? `${what} did not finish within ${within} ms (--exact)${tail}`
            : `${what} did not finish within ${within} ms${tail}; --exact checks every row`,
        );
      }
      case 'lock':
        return this.finish(
          'unknown',
          'timeout',
          `${what}: the table is locked by another session (lock not granted in time)${tail}`,
        );
      case 'missing':
        return this.finish('unknown', 'missing', `${what}: ${failure.message}`);
      case 'rls':
        return this.finish(
          'unknown',
          'refused',
          `${what}: ${failure.message}: row-level security would hide rows from the probes; a role with BYPASSRLS, or the table's owner, sees every row`,
        );
      case 'refused':
        return this.finish('unknown', 'refused', `${what}: ${failure.message} (the role may need SELECT on it)`);
      default:
        return this.finish('unknown', 'refused', `${what}: Postgres refused it (${failure.message})`);
    }
  }
}

function classify(code: string, message: string): Failure {
  if (code === '57014') return { kind: 'timeout', code, message };
  if (code === '55P03') return { kind: 'lock', code, message };
  // With row_security off (every probe transaction), a query that a policy would filter fails instead.
  if (code === '42501' && /row.level security|row security/i.test(message)) return { kind: 'rls', code, message };
  if (code === '42501' || code === '25006') return { kind: 'refused', code, message };
  if (code === '42P01' || code === '42703' || code === '3F000' || code === '42704') return { kind: 'missing', code, message };
  if (code === '42883') return { kind: 'undefined-operator', code, message };
  if (code.startsWith('22')) return { kind: 'data', code, message };
  return { kind: 'other', code, message };
}

/** "analyzed 2026-11-20 14:03 UTC", or "at the last ANALYZE" when the time is not known. */
export function analyzedWhen(at: Date | null): string {
  if (!at) return 'as of the last ANALYZE';
  return `analyzed ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** 0.1234 → "12.3 %"; tiny fractions keep a significant digit. */
export function percent(fraction: number): string {
  const value = fraction * 100;
  if (value === 0) return '0 %';
  if (value >= 1) return `${Number(value.toFixed(1))} %`;
  return `${Number(value.toPrecision(1))} %`;
}

/** ~12 345 678 rows. */
export function rowCount(count: number): string {
  return Math.round(count).toLocaleString('en-US').replace(/,/g, ' ');
}
