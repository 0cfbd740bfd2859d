/**
 * One shadow: a server (started on first need), the snapshot cache, and a replay cursor per migration directory.
 */
import { basename } from 'node:path';
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/index.js';
import { MigcheckError } from '../errors.js';
import type { Migration, MigrationDirectory } from '../source/discover.js';
import { applySql, runsInCallersTransaction } from './apply.js';
import { HistoryHashChain, historyStartHash, SnapshotCache, withinMigrationHash } from './cache.js';
import { ReplayCursor, ReplayProgress, type ReadingWithin } from './replay.js';
import type { ShadowServer } from './server.js';
import { toolSetupSql } from './tracking.js';
import type { HistoryFailed, HistoryFailure, PriorResult, ServerIdentity, Shadow, ShadowDatabase } from './types.js';

/** What the shadow knows about one directory's history (a lone file is a directory of its own, with no history). */
interface HistoryState {
  migrations: readonly Migration[];
  /** For progress messages: the directory's name. */
  label: string;
  /** What the migration tool creates before the first migration (./tracking.ts). */
  setupSql: string;
  chain: HistoryHashChain;
  /** A history migration that failed to apply in this run: nothing after it is replayed again. */
  failure?: HistoryFailure;
  cursor?: ReplayCursor;
  /** One for the whole run: requests one migration at a time still say where the replay is, at most every 500 ms. */
  progress: ReplayProgress;
}

interface PendingRequest {
  migration: Migration;
  resolve: (result: PriorResult) => void;
  reject: (error: unknown) => void;
}

export class ShadowSession implements Shadow {
  private identity?: Promise<ServerIdentity>;
  private readonly histories = new Map<MigrationDirectory | undefined, Promise<HistoryState>>();
  /** Work on cursors, one piece at a time: a cursor is one session on one database. */
  private queue: Promise<unknown> = Promise.resolve();
  /** priorSnapshot() calls made in the same tick, answered by one priorSnapshots(). */
  private batch?: PendingRequest[];
  private closing?: Promise<void>;

  constructor(
    private readonly server: ShadowServer,
    private readonly cache: SnapshotCache,
    private readonly onProgress: ((message: string) => void) | undefined,
    /** A lane (lane()) shares its server with the session that made it, which closes the server. */
    private readonly ownsServer = true,
  ) {}

  lane(): Shadow {
    this.assertOpen();
    return new ShadowSession(this.server, this.cache.lane(), this.onProgress, false);
  }

  priorSnapshot(migration: Migration): Promise<PriorResult> {
    return new Promise((resolve, reject) => {
      if (!this.batch) {
        this.batch = [];
        queueMicrotask(() => this.answerBatch());
      }
      this.batch.push({ migration, resolve, reject });
    });
  }

  private answerBatch(): void {
    const batch = this.batch ?? [];
    this.batch = undefined;
    this.priorSnapshots(batch.map((request) => request.migration)).then(
      (results) => batch.forEach((request, i) => request.resolve(results[i]!)),
      (error: unknown) => batch.forEach((request) => request.reject(error)),
    );
  }

  async priorSnapshots(migrations: Migration[]): Promise<PriorResult[]> {
    this.assertOpen();
    const results = new Array<PriorResult>(migrations.length);
    const positionsByDirectory = new Map<MigrationDirectory | undefined, number[]>();
    migrations.forEach((migration, position) => {
      const positions = positionsByDirectory.get(migration.directory) ?? [];
      positions.push(position);
      positionsByDirectory.set(migration.directory, positions);
    });
    for (const [directory, positions] of positionsByDirectory) {
      await this.resolveDirectory(await this.historyOf(directory), positions, migrations, results);
    }
    return results;
  }

  /** Cache first; then one forward replay through every target whose snapshot is missing. */
  private async resolveDirectory(
    history: HistoryState,
    positions: number[],
    migrations: Migration[],
    results: PriorResult[],
  ): Promise<void> {
    const missing = new Map<number, number[]>(); // target index → positions in `results`
    for (const position of positions) {
      const index = indexOf(migrations[position]!);
      const hash = history.chain.before(index);
      const failed = this.failureBefore(history, index);
      if (failed) {
        results[position] = failed;
        continue;
      }
      // Defined: only an unreadable migration before `index` (a failure, above) stops the chain.
      const snapshot = await this.cache.read(hash!);
      if (snapshot) results[position] = { snapshot, cached: true };
      else missing.set(index, [...(missing.get(index) ?? []), position]);
    }
    if (missing.size === 0) return;

    const targets = [...missing.keys()].sort((a, b) => a - b);
    await this.exclusive(async () => {
      const { progress } = history;
      for (const index of targets) {
        const reached = await this.bringCursorTo(history, index, progress);
        let result: PriorResult;
        if (reached instanceof ReplayCursor) {
          const snapshot = await reached.snapshot();
          await this.cache.write(history.chain.before(index)!, snapshot);
          result = { snapshot, cached: false };
        } else {
          result = reached;
        }
        for (const position of missing.get(index)!) results[position] = result;
      }
    });
  }

  async snapshotsWithin(migration: Migration, statements: readonly number[]): Promise<Map<number, SchemaSnapshot>> {
    this.assertOpen();
    const found = new Map<number, SchemaSnapshot>();
    // Code that could not be read, or a capture that may be missing statements: no schema to trust (as in the replay).
    if (statements.length === 0 || migration.code || (migration.capture?.upGaps.length ?? 0) > 0) return found;
    const history = await this.historyOf(migration.directory);
    const index = indexOf(migration);
    const before = history.chain.before(index);
    if (before === undefined || this.failureBefore(history, index)) return found;
    const missing = new Set<number>();
    for (const statement of new Set(statements)) {
      const cached = await this.cache.read(withinMigrationHash(before, migration, statement));
      if (cached) found.set(statement, cached);
      else missing.add(statement);
    }
    if (missing.size === 0) return found;

    // The migration applied, as its tool applies it, to its prior state, read before each wanted statement.
    const read = async (statement: number, client: pg.Client) => {
      if (!missing.has(statement)) return;
      const snapshot = await this.readSnapshot(client);
      await this.cache.write(withinMigrationHash(before, migration, statement), snapshot);
      found.set(statement, snapshot);
    };
    if (index + 1 < history.migrations.length) {
      // By the replay itself, which goes on past the migration: the file is applied once, as the replay of the
      // next migration would apply it anyway, and the readings within it are where the next reading starts from.
      // Lemmy: 44 files read within, each applied again in a transaction rolled back after, had cost a quarter of
      // a cold lint. Not the last migration of its history: the state before it stays for schemaAfter's copy.
      await this.exclusive(async () => {
        const reached = await this.bringCursorTo(history, index, history.progress);
        if (reached instanceof ReplayCursor) await this.advance(history, reached, index + 1, history.progress, { index, beforeStatement: read });
      });
      return found;
    }
    const apply = (client: pg.Client) =>
      applySql(client, migration.up, { transaction: migration.transaction !== false, beforeStatement: (statement) => read(statement, client) });
    if (await runsInCallersTransaction(migration.up)) {
      // On the replay cursor itself, in a transaction rolled back after: no copy, and the cursor goes on from there.
      await this.inTransactionBefore(migration, apply);
      return found;
    }
    // A file that manages its transactions or runs CONCURRENTLY: in a copy of its prior state.
    const database = await this.databaseBefore(migration);
    if ('failure' in database) return found;
    try {
      await apply(database.client);
    } finally {
      await database.release();
    }
    return found;
  }

  async inTransactionBefore<T>(migration: Migration, work: (client: pg.Client) => Promise<T>): Promise<{ value: T } | HistoryFailed> {
    return this.onCursorBefore(migration, async (cursor) => ({ value: await cursor.inRolledBackTransaction(work) }));
  }

  async databaseBefore(migration: Migration): Promise<ShadowDatabase | HistoryFailed> {
    const databases = await this.databasesBefore(migration, 1);
    return 'failure' in databases ? databases : databases[0]!;
  }

  async databasesBefore(migration: Migration, count: number): Promise<ShadowDatabase[] | HistoryFailed> {
    // All copies in one turn on the cursor: a rehearsal running in parallel with the replay of later migrations
    // never needs the cursor back at this state.
    return this.onCursorBefore(migration, async (reached) => {
      // The cursor is the template of this state: copies of it need no replay.
      await reached.disconnect();
      const databases: ShadowDatabase[] = [];
      try {
        for (let made = 0; made < count; made++) databases.push(await this.copyOf(reached.database));
      } catch (error) {
        await Promise.all(databases.map((database) => database.release()));
        throw error;
      }
      return databases;
    });
  }

  /** `work` on the replay cursor brought to the state before `migration`, in one turn; or the failure on the way. */
  private async onCursorBefore<T>(migration: Migration, work: (cursor: ReplayCursor) => Promise<T>): Promise<T | HistoryFailed> {
    this.assertOpen();
    const history = await this.historyOf(migration.directory);
    const index = indexOf(migration);
    history.chain.before(index); // reads the files before it: finds an unreadable one
    const known = this.failureBefore(history, index);
    if (known) return known;
    return this.exclusive(async () => {
      const reached = await this.bringCursorTo(history, index, history.progress);
      return reached instanceof ReplayCursor ? work(reached) : reached;
    });
  }

  private async copyOf(template: string): Promise<ShadowDatabase> {
    const name = await this.server.createDatabase(template);
    let client;
    try {
      client = await this.server.connect(name);
    } catch (error) {
      await this.server.dropDatabase(name).catch(() => {});
      throw error;
    }
    let released: Promise<void> | undefined;
    return {
      url: this.server.urlOf(name),
      client,
      release: () => {
        released ??= client.end().catch(() => {}).then(() => this.server.dropDatabase(name));
        return released;
      },
    };
  }

  readSnapshot(session: pg.Client): Promise<SchemaSnapshot> {
    return this.server.readSnapshot(session);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Work in flight is not waited for: dropping its databases ends it.
      for (const history of this.histories.values()) {
        const cursor = (await history.catch(() => undefined))?.cursor;
        // A lane's cursors are dropped now; the server drops everything else when its owner closes it.
        await (this.ownsServer ? cursor?.disconnect() : cursor?.drop().catch(() => {}));
      }
      // The cache files written behind the replay (./write-behind.ts), its lanes' too, end while the server stops.
      if (this.ownsServer) await Promise.all([this.server.close(), this.cache.settled()]);
    })();
    return this.closing;
  }

  /** The cursor of `history` at `target`, advanced (or restarted when it is past it); or the failure on the way. */
  private async bringCursorTo(history: HistoryState, target: number, progress: ReplayProgress): Promise<ReplayCursor | HistoryFailed> {
    const known = this.failureBefore(history, target);
    if (known) return known;
    if (history.cursor && !history.cursor.canReach(target)) {
      await history.cursor.drop();
      history.cursor = undefined;
    }
    history.cursor ??= await ReplayCursor.start(this.server, history.migrations, history.setupSql);
    return this.advance(history, history.cursor, target, progress);
  }

  /** `cursor`, the history's, advanced to `target`; or the failure on the way, which ends the cursor. */
  private async advance(
    history: HistoryState,
    cursor: ReplayCursor,
    target: number,
    progress: ReplayProgress,
    within?: ReadingWithin,
  ): Promise<ReplayCursor | HistoryFailed> {
    const failure = await cursor.advanceTo(target, progress, within);
    if (failure) {
      history.failure = failure;
      await cursor.drop();
      history.cursor = undefined;
      return this.failureBefore(history, target)!;
    }
    return cursor;
  }

  /** The failing (or unreadable) history migration before `target`, if one is known. */
  private failureBefore(history: HistoryState, target: number): HistoryFailed | undefined {
    const failed = history.failure ?? history.chain.unreadable;
    if (!failed || failed.index >= target) return undefined;
    return { failure: failed.failure, migration: history.migrations[failed.index]! };
  }

  private historyOf(directory: MigrationDirectory | undefined): Promise<HistoryState> {
    let history = this.histories.get(directory);
    if (!history) {
      history = this.serverIdentity().then((identity) => {
        const migrations = directory?.migrations ?? [];
        const setupSql = toolSetupSql(directory?.layout);
        const chain = new HistoryHashChain(historyStartHash(identity, setupSql), migrations);
        const label = labelOf(directory);
        return { migrations, label, setupSql, chain, progress: new ReplayProgress(label, migrations.length, this.onProgress) };
      });
      history.catch(() => this.histories.delete(directory));
      this.histories.set(directory, history);
    }
    return history;
  }

  /** Part of every cache key: free for the embedded server, one connection for a `url` server. */
  private serverIdentity(): Promise<ServerIdentity> {
    if (!this.identity) {
      const identity = this.server.identity();
      identity.catch(() => {
        if (this.identity === identity) this.identity = undefined;
      });
      this.identity = identity;
    }
    return this.identity;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private assertOpen(): void {
    if (this.closing) throw new MigcheckError('the shadow is closed');
  }
}

/** A lone file has no history: the schema before it is the empty database's. */
function indexOf(migration: Migration): number {
  return migration.directory ? migration.index : 0;
}

function labelOf(directory: MigrationDirectory | undefined): string {
  if (!directory) return 'file';
  const name = basename(directory.path);
  return name && name !== '.' && name !== '..' ? name : directory.path;
}
