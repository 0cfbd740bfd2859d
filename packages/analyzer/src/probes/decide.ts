/**
 * The live part of a probe: a query that looks for one witness row (a NULL, a value that does not fit, an orphan…),
 * bounded by the probe's budget. `EXPLAIN` first says whether the server will answer it from an index alone, so
 * that the finding names its method truthfully.
 */
import type pg from 'pg';
import type { TableFacts } from './catalog.js';
import type { Answer, Failure, Finding, Outcome, ProbeRun } from './finding.js';
import { run } from './sql.js';

/** A table a probe's query reads: its oid (for its size) and `schema.name` (for people). */
export interface TableRef {
  oid: number;
  name: string;
}

/**
 * Tables up to this size (with their partitions, inheritance children and TOAST) are read whole: a millisecond
 * on an idle server, so the answer is exact, and a busy machine does not turn it into "unknown".
 */
export const SMALL_TABLE_BYTES = 1024 * 1024;

/** Tables small enough to read whole: their names and size, for the finding. */
export interface Small {
  names: string;
  bytes: number;
}

const SIZE_SQL = `
WITH RECURSIVE tree(oid) AS (
  SELECT unnest($1::oid[])
  UNION
  SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid
)
SELECT CASE WHEN bool_or(c.relkind = 'f') THEN NULL ELSE coalesce(sum(pg_table_size(c.oid)), 0) END::float8 AS bytes
FROM tree JOIN pg_class c ON c.oid = tree.oid`;

/**
 * Whether the tables are small enough to read whole (SMALL_TABLE_BYTES): their size on disk now, not the
 * statistics' estimate (a table never vacuumed says 0 pages in pg_class). pg_table_size takes the same
 * ACCESS SHARE lock a query takes, under lock_timeout: a locked table fails here as it would in the query.
 * A foreign table's size is unknown: never small. With --exact, every read is whole anyway: null.
 */
export async function smallTables(probe: ProbeRun, tables: TableRef[]): Promise<Outcome<Small | null>> {
  if (probe.exact || tables.length === 0) return { ok: true, value: null };
  const outcome = await probe.step((client) => run<{ bytes: number | null }>(client, SIZE_SQL, [tables.map((table) => table.oid)], 'migcheck_probe_size'), 'catalog');
  if (!outcome.ok) return outcome;
  const bytes = outcome.value[0]?.bytes ?? null;
  if (bytes === null || bytes > SMALL_TABLE_BYTES) return { ok: true, value: null };
  return { ok: true, value: { names: [...new Set(tables.map((table) => table.name))].join(', '), bytes } };
}

/** "public.fifty is small (8 kB)". */
export function smallness(small: Small): string {
  const kB = Math.max(1, Math.round(small.bytes / 1024));
  return `${small.names} ${small.names.includes(',') ? 'are' : 'is'} small (${kB} kB)`;
}

/**
 * One read of table data: whole and exact when the tables are small, else within what is left of the budget.
 * The outcome says which.
 */
export async function readData<T>(probe: ProbeRun, tables: TableRef[], work: (client: pg.ClientBase) => Promise<T>): Promise<Outcome<{ value: T; small: Small | null }>> {
  const size = await smallTables(probe, tables);
  if (!size.ok) return size;
  const small = size.value;
  const outcome = await probe.step(work, small ? 'small' : 'scan');
  return outcome.ok ? { ok: true, value: { value: outcome.value, small } } : outcome;
}

export interface Witnessed<R> {
  rows: R[];
  /** The indexes the plan reads when it reads no table directly (no sequential scan); else null. */
  indexes: string[] | null;
  /** Set when the tables were small enough to read whole. */
  small: Small | null;
}

/**
 * Runs `sql` (which should stop at its first row: LIMIT 1), with EXPLAIN before it unless --exact: the plan says
 * whether an index alone answers it. On small tables the query gets the small-table timeout, not what is left
 * of the budget.
 *
 * Sequential scans are discouraged (not forbidden: without a usable index the plan is the same). A witness query
 * mostly proves an absence, where an index answers in milliseconds what a scan answers in seconds; the planner
 * does not know that: when the sought values lie beyond the histogram but the index shows that some exist
 * (one bigint beyond the integer range), it expects many rows and picks a scan that stops at the first one,
 * which may be at the end of the table. The plan's cost then exceeds jit_above_cost: every probe transaction
 * has jit off (target.ts), or compiling the query would cost more than running it.
 */
export async function witness<R extends pg.QueryResultRow = Record<string, unknown>>(
  probe: ProbeRun,
  sql: string,
  params: unknown[],
  small: Small | null,
): Promise<Outcome<Witnessed<R>>> {
  return probe.step(
    async (client) => {
      // A bounded probe takes one core of the server, not three: no parallel workers (their start and their
      // shutdown on cancel also cost milliseconds of the budget). --exact leaves that to the planner.
      await client.query(`SET LOCAL enable_seqscan = off${probe.exact ? '' : '; SET LOCAL max_parallel_workers_per_gather = 0'}`);
      if (probe.exact) return { rows: await run<R>(client, sql, params), indexes: null, small: null };
      const indexes = indexOnlyPlan(await explain(client, sql, params));
      // The budget keeps running while EXPLAIN does: the query gets what is left.
      if (!small) await client.query(`SET LOCAL statement_timeout = ${probe.scanTimeout()}`);
      return { rows: await run<R>(client, sql, params), indexes, small };
    },
    small ? 'small' : 'scan',
  );
}

async function explain(client: pg.ClientBase, sql: string, params: unknown[]): Promise<PlanNode> {
  // EXPLAIN without ANALYZE plans the query and runs nothing.
  const rows = await run<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(client, `EXPLAIN (FORMAT JSON) ${sql}`, params);
  return rows[0]!['QUERY PLAN'][0].Plan;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Scans that read a table's heap in bulk, or that migcheck cannot see into. */
const TABLE_SCANS = new Set(['Seq Scan', 'Sample Scan', 'Tid Range Scan', 'Foreign Scan', 'Custom Scan', 'WorkTable Scan']);

function indexOnlyPlan(plan: PlanNode): string[] | null {
  const indexes = new Set<string>();
  let tableScan = false;
  const walk = (node: PlanNode): void => {
    if (TABLE_SCANS.has(node['Node Type'])) tableScan = true;
    if (node['Index Name']) indexes.add(node['Index Name']);
    node.Plans?.forEach(walk);
  };
  walk(plan);
  return tableScan || indexes.size === 0 ? null : [...indexes].sort();
}

/** How a witness query was answered, for a finding: its method, and parentheses for a row found and for none. */
export function howAnswered(probe: ProbeRun, { indexes, small }: Pick<Witnessed<unknown>, 'indexes' | 'small'>): { method: 'index' | 'exact' | 'bounded'; found: string; notFound: string } {
  if (indexes) {
    const how = `index ${indexes.join(', ')}`;
    return { method: 'index', found: how, notFound: how };
  }
  if (small) return { method: 'exact', found: `exact check: ${smallness(small)}`, notFound: `${smallness(small)}: every row checked` };
  if (probe.exact) return { method: 'exact', found: 'exact check', notFound: 'exact check of every row' };
  const bound = `bounded by ${probe.settings.probeTimeoutMs} ms`;
  return { method: 'bounded', found: `query ${bound}`, notFound: `every row checked, ${bound}` };
}

/**
 * `SELECT select FROM from WHERE c LIMIT 1` for any of the conditions: one branch each, so that each range
 * condition can be an index condition (an OR of two ranges would rather be planned as a full index scan with a
 * filter when the planner, having looked at the index, expects many matches).
 */
export function firstRowWhereAny(select: string, from: string, conditions: string[]): string {
  const branch = (condition: string) => `SELECT ${select} FROM ${from} WHERE ${condition} LIMIT 1`;
  if (conditions.length === 1) return branch(conditions[0]!);
  return `${conditions.map((condition) => `(${branch(condition)})`).join(' UNION ALL ')} LIMIT 1`;
}

export interface Existence {
  /** Returns a row when the thing looked for exists (LIMIT 1). */
  sql: string;
  /** The tables `sql` reads: when they are small, it reads them whole (exact), whatever is left of the budget. */
  tables: TableRef[];
  params?: unknown[];
  /** The answer when a row comes back (the other one when none does). */
  whenFound: Answer;
  /** "looking for a NULL in public.t.c": what could not be finished. */
  what: string;
  found: (how: string) => string;
  notFound: (how: string) => string;
  /** What else is known, said when the query could not finish ("pg_stats says 0 % NULL, a sample, not proof"). */
  hint?: string;
  /** Run instead when Postgres finds no operator for `sql` (a type without equality: compare text forms). */
  fallbackSql?: string;
  /** Sees the witness row (when one comes back) before `found` words the finding. */
  onRow?: (row: Record<string, unknown>) => void;
  /** A failure that is itself an answer (a cast that fails on a value): the finding, or undefined for "unknown". */
  onFailure?: (failure: Failure, method: 'exact' | 'bounded') => Finding | undefined;
}

/** Answers by one witness query. */
export async function decideByQuery(probe: ProbeRun, check: Existence): Promise<Finding> {
  const size = await smallTables(probe, check.tables);
  if (!size.ok) return probe.failed(size.failure, check.what, check.hint);
  const small = size.value;
  let outcome = await witness(probe, check.sql, check.params ?? [], small);
  if (!outcome.ok && outcome.failure.kind === 'undefined-operator' && check.fallbackSql && (small || probe.hasTime())) {
    outcome = await witness(probe, check.fallbackSql, check.params ?? [], small);
  }
  if (!outcome.ok) return check.onFailure?.(outcome.failure, small ? 'exact' : probe.scanMethod) ?? probe.failed(outcome.failure, check.what, check.hint);
  const { method, found: howFound, notFound: howNotFound } = howAnswered(probe, outcome.value);
  const row = outcome.value.rows[0];
  if (row) check.onRow?.(row);
  return row !== undefined
    ? probe.finish(check.whenFound, method, check.found(howFound))
    : probe.finish(opposite(check.whenFound), method, check.notFound(howNotFound));
}

export function opposite(answer: Answer): Answer {
  return answer === 'yes' ? 'no' : answer === 'no' ? 'yes' : 'unknown';
}

/**
 * Whether the table is empty, when the statistics think it may be (reltuples 0, or never analyzed): one exact
 * `LIMIT 1` read, instant on an empty table. Null when the statistics say it has rows (not worth a query).
 */
export async function provenEmpty(probe: ProbeRun, table: TableFacts): Promise<Outcome<boolean> | null> {
  if (table.reltuples > 0 || !probe.hasTime()) return null;
  const outcome = await readData(probe, [table], (client) => run(client, `SELECT 1 FROM ${table.sql} LIMIT 1`));
  return outcome.ok ? { ok: true, value: outcome.value.value.length === 0 } : outcome;
}
