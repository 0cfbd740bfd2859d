/**
 * vitest globalSetup: starts ONE PostgreSQL server for the whole run and hands its URL to the test workers
 * (`inject('postgresUrl')`, or simply `createScratchDatabase()` from ./database.ts).
 */
import type { TestProject } from 'vitest/node';
import { redactPassword, startTestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server (its `postgres` database). */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const server = await startTestPostgres();
  if (process.env.MIGCHECK_TEST_VERBOSE) {
    console.log(`[test-postgres] ${server.source} at ${redactPassword(server.url)} in ${Date.now() - started} ms`);
  }
  project.provide('postgresUrl', server.url);
  return async () => {
    await server.stop();
  };
}
