/** The shadow's public shapes (see ./index.ts). */
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/index.js';
import type { Migration } from '../source/discover.js';
import type { ApplyFailure } from './apply.js';

export interface ShadowOptions {
  /** A server to use instead of starting one; migcheck creates and drops its own databases there. */
  url?: string;
  /** Where replayed schema snapshots are cached. Default: $MIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/migcheck, else ~/.cache/migcheck. */
  cacheDir?: string;
  /**
   * How many replay cursors lint and plan read the prior schemas of a long history on at once, each for one part of
   * it (./lanes.ts; default 2). Results do not depend on it.
   */
  replayLanes?: number;
  /** Progress for long replays, one line per message (the CLI prints them on stderr). */
  onProgress?: (message: string) => void;
}

/** What the replaying server contributes to every cache hash (./cache.ts). */
export interface ServerIdentity {
  majorVersion: number;
  /** The role that replays (./sandbox.ts): `migcheck_sandbox` for a sandbox role of migcheck's own. */
  role: string;
}

/** A history migration that failed to apply, and where in the directory it is. */
export interface HistoryFailure {
  index: number;
  failure: ApplyFailure;
}

/** A history migration failed to apply: the schema before the target is unknown. */
export interface HistoryFailed {
  failure: ApplyFailure;
  /** The history migration that failed (not the target). */
  migration: Migration;
}

export type PriorResult = { snapshot: SchemaSnapshot; cached: boolean } | HistoryFailed;

export interface ShadowDatabase {
  /** Connection URL, as the replay role; it holds the password: redact it before showing it. */
  url: string;
  /** A session as the replay role, which owns the database: never a superuser. */
  client: pg.Client;
  /** Drops the database. */
  release(): Promise<void>;
}

export interface Shadow {
  /** The schema before `migration`: its history replayed in order (cached by the content hash of the history). */
  priorSnapshot(migration: Migration): Promise<PriorResult>;
  /** Prior snapshots for many migrations of possibly the same directory, replaying each history prefix once, in order. Results in input order. */
  priorSnapshots(migrations: Migration[]): Promise<PriorResult[]>;
  /**
   * The schema just before each of `statements` (indexes among the migration's statements) runs, with the ones
   * before it applied: what a statement saw after an earlier statement of its migration changed the same object.
   * A statement the migration does not reach (a failure, an unreadable history) is absent from the map.
   * Read as the replay applies the migration, which it then is past (but for the last of its history, read in a copy
   * or a rolled-back transaction): ask in history order, after its priorSnapshot.
   */
  snapshotsWithin(migration: Migration, statements: readonly number[]): Promise<Map<number, SchemaSnapshot>>;
  /**
   * Runs `work` on the replay cursor in the state before `migration`, on a new session, in a transaction rolled
   * back after it (the sequences it moved set back: ./rolled-back.ts): no copy is made, and the replay goes on from
   * the same state. `work` must not end the transaction; nothing else uses the cursor meanwhile.
   */
  inTransactionBefore<T>(migration: Migration, work: (client: pg.Client) => Promise<T>): Promise<{ value: T } | HistoryFailed>;
  /** A fresh database in the state before `migration` (history applied), for rehearsals; the caller releases it. */
  databaseBefore(migration: Migration): Promise<ShadowDatabase | HistoryFailed>;
  /**
   * `count` fresh databases in the state before `migration`, copied in one turn of the replay: a rehearsal that
   * needs several (one per stage) gets them all before the replay moves on to later migrations.
   */
  databasesBefore(migration: Migration, count: number): Promise<ShadowDatabase[] | HistoryFailed>;
  /**
   * The schema of a shadow database, read in one of its sessions (a ShadowDatabase's client), as the prior
   * snapshots have it: the replay role, who ran the migrations, is no owner to restore (see ./sandbox.ts).
   */
  readSnapshot(session: pg.Client): Promise<SchemaSnapshot>;
  /**
   * Another shadow on the same server and snapshot cache, with replay cursors of its own: its work runs alongside
   * this one's (verify rehearses parts of a history in lanes). Close it before this one, which closes the server.
   */
  lane(): Shadow;
  close(): Promise<void>;
}
