/**
 * The production form of one rollback statement: the statements that do the same with the weakest lock
 * Postgres offers, each able to run again, and what lock each takes. Rules emit the logical inverse
 * (`DROP INDEX i;`); a module of this folder per statement kind turns it into its online form when the
 * rollback script is rendered (`DROP INDEX CONCURRENTLY IF EXISTS i;`).
 */
import type { ParsedStatement } from '../../source/parse.js';

export interface OnlineStep {
  sql: string;
  /** False for statements Postgres refuses inside a transaction block (… CONCURRENTLY). */
  transactional: boolean;
  /** The lock the statement takes and on what (`SHARE UPDATE EXCLUSIVE on public.users`), or why it is unknown. */
  lock: string;
  /** What it does while it holds the lock (`scans the table, writes continue`). */
  effect: string;
  /** The statement reads every row: a statement_timeout of its own is set around it. */
  scans: boolean;
  /**
   * The statement blocks writes (ACCESS EXCLUSIVE or SHARE) for a scan or a rewrite, so the rollback is not
   * zero-downtime: what to do instead.
   */
  blocksWrites?: { alternative: string };
  /** Runs only in a state a normal run does not leave (an interrupted index build): takes no lock otherwise. */
  conditional?: true;
  /** The logical rollback statement this one is (part of) the online form of: what the report names. */
  logical?: string;
  /** Set when no module recognised the statement: it runs as written, its lock is not known. */
  unrecognised?: true;
}

/**
 * What the schema says about the tables a step touches (read from the prior schemas of the migrations): some
 * online forms do not exist for every table.
 */
export interface OnlineContext {
  /** True when a snapshot shows the table (`schema.table`) partitioned: no CONCURRENTLY index build or drop on it. */
  isPartitioned(table: string): boolean;
  /** The table (`schema.table`) of an index (`schema.index`), when a snapshot or the change shows it. */
  tableOfIndex(index: string): string | undefined;
}

/** No schema known: every table is taken to be a plain one. */
export const NO_CONTEXT: OnlineContext = { isPartitioned: () => false, tableOfIndex: () => undefined };

/** A module per statement kind: its online form, or undefined when the statement is not of its kind. */
export interface OnlineForm {
  kind: string;
  online(statement: ParsedStatement, context: OnlineContext): OnlineStep[] | undefined;
}

/** Locks, as pg_locks.mode names them (`ShareUpdateExclusiveLock`) and as the script says them. */
export const LOCKS = {
  accessShare: 'ACCESS SHARE',
  shareUpdateExclusive: 'SHARE UPDATE EXCLUSIVE',
  share: 'SHARE',
  shareRowExclusive: 'SHARE ROW EXCLUSIVE',
  accessExclusive: 'ACCESS EXCLUSIVE',
} as const;

export const BRIEF = 'catalog only, brief once granted';
