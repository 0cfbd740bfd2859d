/**
 * Scratch databases on the run's PostgreSQL server (started by ./global-setup.ts).
 * Test files run in parallel workers, so every database gets a random, unique name.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadParser, parseSql } from '../../packages/analyzer/src/source/parse.js';
import { SqlText } from '../../packages/analyzer/src/source/sql-text.js';
import { quoteIdentAlways } from '../../packages/analyzer/src/sql/quote.js';
import { inject } from 'vitest';
import type { TargetServer } from './global-setup.js';

export interface ScratchDatabase {
  /** The database's name on the server. */
  name: string;
  /** Connection URL of the database (same credentials as the server URL). */
  url: string;
  /** A connected client on the database; closed by `drop()`. */
  client: pg.Client;
  /** Closes `client` and drops the database, even if other sessions are still connected to it. */
  drop(): Promise<void>;
}

/** Postgres truncates identifiers to 63 bytes; keep the random suffix intact. */
const MAX_PREFIX_LENGTH = 40;

/**
 * The servers the target-database tests run against (`describe.each(targetServers())`): the run's server, and
 * the production-like Debian one (JIT on) when it is installed (always under CI).
 */
export function targetServers(): TargetServer[] {
  return inject('targetServers');
}

/** A fresh database on the run's server, or on `serverUrl` (one of `targetServers()`). */
export async function createScratchDatabase(prefix = 'scratch', serverUrl: string = inject('postgresUrl')): Promise<ScratchDatabase> {
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, MAX_PREFIX_LENGTH) || 'scratch';
  const name = `${safePrefix}_${randomBytes(6).toString('hex')}`;

  // template0: a pristine database, whatever someone installed into template1 of a shared server.
  await runOnServer(serverUrl, `CREATE DATABASE ${quoteIdentAlways(name)} TEMPLATE template0`);

  const url = databaseUrl(serverUrl, name);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    await runOnServer(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentAlways(name)} WITH (FORCE)`);
    throw error;
  }

  let dropped = false;
  return {
    name,
    url,
    client,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await client.end().catch(() => {});
      await runOnServer(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentAlways(name)} WITH (FORCE)`);
    },
  };
}

async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Runs a SQL script statement by statement (CONCURRENTLY cannot run in a multi-statement query). */
export async function runStatements(client: pg.Client, sql: string): Promise<void> {
  await loadParser();
  for (const statement of parseSql(new SqlText(sql), 'script.sql')) await client.query(statement.text);
}
