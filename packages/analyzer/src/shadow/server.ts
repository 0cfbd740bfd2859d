/**
 * The servers a shadow runs on: an embedded PostgreSQL that migcheck starts itself (./embedded.ts), or a server
 * the user names (`--shadow-url`, below).
 *
 * Either way migcheck only ever works in databases it created (`migcheck_shadow_<random>`), and drops them on
 * close or on a signal; on a user's server it never touches another database. The user's role (or the embedded
 * server's superuser) only creates and drops them: everything that runs in them, migration files above all, runs
 * as the replay role (./sandbox.ts), which owns them.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/index.js';
import { CatalogReaders } from './catalog-reader.js';
import { MigcheckError } from '../errors.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { registerCleanup } from './cleanup.js';
import { connectClient, databaseUrl, redactUrl, urlWithLogin } from './connection.js';
import { anonymiseReplayRole, chooseReplayRole, dropSandboxRole, SANDBOX_ROLE, unsafePowersOf, type ReplayLogin } from './sandbox.js';
import type { ServerIdentity } from './types.js';

export interface ShadowServer {
  /** For messages; never holds a password. */
  readonly description: string;
  /** What shapes a replay's result (part of the cache key). The embedded server knows it without starting. */
  identity(): Promise<ServerIdentity>;
  /** A new database: empty (a copy of template0), or a copy of `template` (which must have no connections). */
  createDatabase(template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** A session on one of our databases, as the replay role. */
  connect(database: string): Promise<pg.Client>;
  /** Connection URL of one of our databases, as the replay role (holds the password: never show it unredacted). */
  urlOf(database: string): string;
  /** The schema of one of our databases, read in `session` (one of connect()'s), the replay role anonymised. */
  readSnapshot(session: pg.Client): Promise<SchemaSnapshot>;
  /**
   * Before work on `session` in a transaction that is rolled back after: the returned function, called after the
   * rollback, makes the database's last reading the one of now again (../catalog/read/incremental.ts, remember).
   */
  rememberReading(session: pg.Client): () => void;
  /** Drops every database created here; stops the server if migcheck started it. */
  close(): Promise<void>;
}

/** Counts of what this process started, for tests ("a warm run starts no server") and diagnostics. */
export const serverActivity = { embeddedStarts: 0, databasesCreated: 0 };

const liveDatabases = new Set<string>();

/** The shadow databases this process has created and not yet dropped (on any server). */
export function liveShadowDatabases(): string[] {
  return [...liveDatabases];
}

/**
 * What the two kinds of server share: an admin session on a maintenance database, through which databases are
 * created and dropped, and the list of those databases.
 */
export abstract class ServerBase implements ShadowServer {
  abstract readonly description: string;
  private admin?: Promise<pg.Client>;
  private replay?: Promise<ReplayLogin>;
  /** Known once replayRole() has settled: the synchronous urlOf() needs it. */
  private replayLogin?: ReplayLogin;
  private readonly databases = new Set<string>();
  private readonly catalogReaders = new CatalogReaders();
  private unregister?: () => void;
  protected closed = false;

  abstract identity(): Promise<ServerIdentity>;
  /** The URL of the maintenance database (starting the server if need be). */
  protected abstract adminUrl(): Promise<string>;
  /** The admin URL once known (the server started), for the URLs of our databases. */
  protected abstract knownAdminUrl(): string | undefined;
  /** The name of the sandbox role to make when the admin role may not replay itself. */
  protected abstract readonly sandboxName: string;
  /** Whether close() must drop our databases one by one (not when the whole server goes away). */
  protected abstract readonly dropsDatabasesOnClose: boolean;
  /** After our databases are dropped: stop what we started. */
  protected abstract shutdown(): Promise<void>;
  /** The synchronous part of cleanup, for the process 'exit' event. */
  protected abstract shutdownSync(): void;

  /** From the first thing that will need cleaning up on. */
  protected registerForCleanup(): void {
    this.unregister ??= registerCleanup({ run: () => this.close(), runSync: () => this.shutdownSync() });
  }

  protected adminClient(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new MigcheckError('the shadow database server is closed'));
    if (!this.admin) {
      const admin = this.adminUrl().then((url) => connectClient(url, 'the shadow server'));
      // A failed connection is not remembered: the next call tries again.
      admin.catch(() => {
        if (this.admin === admin) this.admin = undefined;
      });
      this.admin = admin;
    }
    return this.admin;
  }

  /** The replay role, chosen (and made if need be) once, before the first database. */
  protected replayRole(): Promise<ReplayLogin> {
    if (!this.replay) {
      const replay = this.adminClient().then(async (admin) => {
        const url = await this.adminUrl();
        const login = await chooseReplayRole(admin, this.sandboxName, { description: this.description, url });
        this.replayLogin = login;
        return login;
      });
      replay.catch(() => {
        if (this.replay === replay) this.replay = undefined;
      });
      this.replay = replay;
    }
    return this.replay;
  }

  async createDatabase(template = 'template0'): Promise<string> {
    this.registerForCleanup();
    const admin = await this.adminClient();
    const login = await this.replayRole();
    if (template !== 'template0') await this.untilNoSessionOn(admin, template);
    const name = `migcheck_shadow_${randomBytes(6).toString('hex')}`;
    // Listed before it exists, so that a signal during creation still drops it.
    this.databases.add(name);
    liveDatabases.add(name);
    try {
      // Owned by the replay role: trusted extensions install and the public schema (pg_database_owner) is its own.
      await this.adminTurn(() => admin.query(`CREATE DATABASE ${quoteIdentAlways(name)} TEMPLATE ${quoteIdentAlways(template)} OWNER ${quoteIdentAlways(login.role)}`));
    } catch (error) {
      this.databases.delete(name);
      liveDatabases.delete(name);
      throw new MigcheckError(`cannot create a shadow database on ${this.description}: ${messageOf(error)}`);
    }
    serverActivity.databasesCreated++;
    this.catalogReaders.copied(template, name);
    return name;
  }

  async dropDatabase(name: string): Promise<void> {
    if (!this.databases.has(name)) return;
    const admin = await this.adminClient();
    // FORCE: a caller may still hold a session on it.
    await this.adminTurn(() => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentAlways(name)} WITH (FORCE)`));
    this.databases.delete(name);
    this.catalogReaders.dropped(name);
    liveDatabases.delete(name);
  }

  /**
   * A template must have no session. The last one (the replay cursor's, just closed) may still be exiting: CREATE
   * DATABASE would then sleep in 100 ms steps; polling in 2 ms steps makes a rehearsal's copy ~5 times faster.
   */
  private async untilNoSessionOn(admin: pg.Client, template: string): Promise<void> {
    const deadline = Date.now() + 1000; // then CREATE DATABASE waits (up to 5 s) and says who is connected
    while (Date.now() < deadline) {
      const { rows } = await this.adminTurn(() => admin.query('SELECT 1 FROM pg_catalog.pg_stat_activity WHERE datname = $1 LIMIT 1', [template]));
      if (rows.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** The admin session runs one query at a time: parallel rehearsals create and drop databases at once (pg 9 refuses overlapping queries). */
  private adminQueue: Promise<unknown> = Promise.resolve();

  private adminTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.adminQueue.then(work, work);
    this.adminQueue = turn.catch(() => {});
    return turn;
  }

  async connect(database: string): Promise<pg.Client> {
    await this.replayRole();
    return connectClient(this.urlOf(database), 'the shadow database');
  }

  urlOf(database: string): string {
    const adminUrl = this.knownAdminUrl();
    if (!adminUrl || !this.replayLogin) throw new MigcheckError(`the shadow server ${this.description} is not ready`);
    return urlWithLogin(databaseUrl(adminUrl, database), this.replayLogin);
  }

  async readSnapshot(session: pg.Client): Promise<SchemaSnapshot> {
    const login = await this.replayRole();
    return anonymiseReplayRole(await this.catalogReaders.readerOf(session).read(), login.role);
  }

  rememberReading(session: pg.Client): () => void {
    return this.catalogReaders.remember(session);
  }

  private closing?: Promise<void>;

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    try {
      if (admin && this.dropsDatabasesOnClose) {
        for (const name of [...this.databases]) await this.dropDatabase(name).catch(() => {});
        // A sandbox role made on the user's server goes too (it owned only the databases just dropped).
        const login = await this.replay?.catch(() => undefined);
        if (login?.password !== undefined) await dropSandboxRole(admin, login.role);
      }
      await admin?.end().catch(() => {});
    } finally {
      this.closed = true;
      this.admin = undefined;
      await this.shutdown();
      if (!this.dropsDatabasesOnClose) {
        // Gone with the server.
        for (const name of this.databases) liveDatabases.delete(name);
        this.databases.clear();
      }
      this.unregister?.();
    }
  }
}

// ─── A server the user names ────────────────────────────────────────────────────────────────────────────────

class ExternalServer extends ServerBase {
  readonly description: string;
  protected readonly dropsDatabasesOnClose = true;
  /** Random: roles are shared by every database of the server, and two runs may share one. */
  protected readonly sandboxName = `${SANDBOX_ROLE}_${randomBytes(6).toString('hex')}`;
  private identityPromise?: Promise<ServerIdentity>;

  constructor(private readonly url: string) {
    super();
    this.description = redactUrl(url);
  }

  identity(): Promise<ServerIdentity> {
    if (!this.identityPromise) {
      const identity = this.adminClient().then(async (admin) => {
        const { rows } = await admin.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
        // Who will replay, without making the role yet (a warm cache needs none): the given role if it may.
        const given = await unsafePowersOf(admin);
        const role = given.reasons.length === 0 ? given.role : SANDBOX_ROLE;
        return { majorVersion: Math.floor(rows[0]!.version / 10000), role };
      });
      identity.catch(() => {
        if (this.identityPromise === identity) this.identityPromise = undefined;
      });
      this.identityPromise = identity;
    }
    return this.identityPromise;
  }

  protected adminUrl(): Promise<string> {
    return Promise.resolve(this.url);
  }

  protected knownAdminUrl(): string {
    return this.url;
  }

  protected async shutdown(): Promise<void> {}

  /** Nothing can be dropped without waiting for the server; close() and signals do it. */
  protected shutdownSync(): void {}
}

export function externalServer(url: string): ShadowServer {
  try {
    new URL(url);
  } catch {
    throw new MigcheckError(`the shadow server URL is not a valid URL: ${redactUrl(url)}`);
  }
  return new ExternalServer(url);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
