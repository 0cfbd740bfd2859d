/**
 * Replaying a directory's history into a shadow database, forward only.
 *
 * A cursor is a database holding the first `position` migrations of a directory. Requests in history order (all
 * the targets of a lint, a verify walking the directory) advance it, so no migration is applied twice; a request
 * for an earlier state starts a new cursor from an empty database. While it stands still, the cursor is also the
 * template that rehearsal databases are copied from (CREATE DATABASE … TEMPLATE), which needs it disconnected.
 */
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/index.js';
import type { Migration } from '../source/discover.js';
import { applySql, type ApplyFailure } from './apply.js';
import type { ShadowServer } from './server.js';
import { restoreSequences, sequencePositions, sessionHasLeftovers } from './rolled-back.js';
import type { HistoryFailure } from './types.js';

/**
 * Work on the cursor's session before each statement of the migration at `index` while it is replayed, inside its
 * transaction when it runs in one: the schema within a migration, read on the way instead of in a second application
 * of the file (./session.ts, snapshotsWithin).
 */
export interface ReadingWithin {
  index: number;
  beforeStatement: (statement: number, session: pg.Client) => Promise<void>;
}

export class ReplayCursor {
  /** How many migrations of the directory the database holds. */
  position = 0;
  private session?: pg.Client;
  /** Set when a migration failed half-way: the database matches no prefix of the history. */
  private broken = false;

  private constructor(
    private readonly server: ShadowServer,
    readonly database: string,
    private readonly migrations: readonly Migration[],
  ) {}

  /** A new, empty database, prepared as the migration tool would (`setupSql`, see ./tracking.ts). */
  static async start(server: ShadowServer, migrations: readonly Migration[], setupSql: string): Promise<ReplayCursor> {
    const cursor = new ReplayCursor(server, await server.createDatabase(), migrations);
    if (setupSql) {
      try {
        await (await cursor.client()).query(setupSql);
      } catch (error) {
        await cursor.drop().catch(() => {});
        throw error;
      }
    }
    return cursor;
  }

  canReach(target: number): boolean {
    return !this.broken && target >= this.position;
  }

  /**
   * Applies migrations [position, target) in order. On failure (or a lost connection) the cursor is broken: drop it.
   * `within`: the schema is read within one of them, before its statements (ReadingWithin).
   */
  async advanceTo(target: number, progress: ReplayProgress, within?: ReadingWithin): Promise<HistoryFailure | undefined> {
    if (!this.canReach(target)) throw new Error(`replay cursor at ${this.position} cannot reach ${target}`);
    while (this.position < target) {
      const migration = this.migrations[this.position]!;
      progress.step(this.position + 1, migration.id);
      const unreadable = migration.code ? codeStepFailure(migration) : incompleteCaptureFailure(migration);
      if (unreadable) {
        // A migration written as code that could not be read (goose's .go files), or whose captured SQL may not be
        // all it does (a knex migration that read the database or failed to load): replaying a guess would give
        // later migrations a prior schema that may be wrong. The replay stops; their prior schema is unknown.
        this.broken = true;
        return { index: this.position, failure: unreadable };
      }
      let failure: ApplyFailure | undefined;
      try {
        // Each migration starts from a session as clean as a new one: a statement an earlier migration PREPAREd, or an
        // advisory lock it kept, belongs to that migration's run (a deploy may run it on its own).
        if (this.position > 0 && (await sessionHasLeftovers(await this.client()))) await this.disconnect();
        const session = await this.client();
        const beforeStatement = within?.index === this.position ? (statement: number) => within.beforeStatement(statement, session) : undefined;
        failure = await applySql(session, migration.up, { transaction: migration.transaction !== false, ...(beforeStatement ? { beforeStatement } : {}) });
      } catch (error) {
        this.broken = true; // a connection lost half-way through a file
        throw error;
      }
      if (failure) {
        this.broken = true;
        return { index: this.position, failure };
      }
      this.position++;
    }
    return undefined;
  }

  /**
   * Runs `work` in a transaction on the cursor's database that is rolled back after it: the cursor stays where it
   * is, sequence positions included (./rolled-back.ts). `work` must not end the transaction (./session.ts checks
   * the file with runsInCallersTransaction first, a rehearsal with its own check).
   */
  async inRolledBackTransaction<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    // A new session, as a copy of the database would have: a search_path, a setting, a temporary table, a prepared
    // statement or a lock that the migrations replayed left in this one is not the work's to meet (nor to be misled
    // by: a search_path that puts a migration's own functions before pg_catalog's).
    await this.disconnect();
    const client = await this.client();
    const sequences = await sequencePositions(client);
    const restoreReading = this.server.rememberReading(client);
    await client.query('BEGIN');
    try {
      return await work(client);
    } finally {
      try {
        await client.query('ROLLBACK');
        // The catalog is back as it was: the next reading is compared with the one of then, and shares its records.
        restoreReading();
        await restoreSequences(client, sequences);
      } catch {
        this.broken = true; // the session is gone, or a sequence cannot be set back: the cursor's state is unknown
      }
    }
  }

  async snapshot(): Promise<SchemaSnapshot> {
    return this.server.readSnapshot(await this.client());
  }

  /** Ends the session, so that the database can be copied (a template must have no connections). */
  async disconnect(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.end().catch(() => {});
  }

  async drop(): Promise<void> {
    await this.disconnect();
    await this.server.dropDatabase(this.database);
  }

  private async client(): Promise<pg.Client> {
    this.session ??= await this.server.connect(this.database);
    return this.session;
  }
}

function codeStepFailure(migration: Migration): ApplyFailure {
  const language = migration.code?.language ?? 'code';
  return {
    path: migration.up.path,
    line: 1,
    column: 1,
    message: `a migration written in ${language === 'go' ? 'Go' : language} cannot be read or replayed by migcheck; the schema after it is unknown`,
  };
}

function incompleteCaptureFailure(migration: Migration): ApplyFailure | undefined {
  const gaps = migration.capture?.upGaps ?? [];
  if (gaps.length === 0) return undefined;
  return {
    path: migration.up.path,
    line: 1,
    column: 1,
    message: `the SQL captured from this ${migration.capture!.tool} migration may not be all it does (${gaps.join('; ')}); the schema after it is unknown`,
  };
}

/** How often a long replay says where it is. */
const PROGRESS_INTERVAL_MS = 500;

/** `replaying lemmy history: 120/342 (2020-04-14-163701_update_views_for_activitypub)`, at most every 500 ms. */
export class ReplayProgress {
  private last = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly report: ((message: string) => void) | undefined,
  ) {}

  step(done: number, id: string): void {
    if (!this.report) return;
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    this.report(`replaying ${this.label} history: ${done}/${this.total} (${id})`);
  }
}
