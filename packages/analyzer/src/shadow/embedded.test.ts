/**
 * The one test that starts the embedded server itself (the others use the run's server as `url`): lazily, on
 * a free port, in a temp data directory that close() removes; and a warm run from the cache starts nothing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { discoverMigrations } from '../source/discover.js';
import { openShadow } from './index.js';
import { isAlive, runningEmbeddedServers } from './embedded.js';
import { serverActivity } from './server.js';
import { memoryFits } from '../../../../test/helpers/memory.js';

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

test('starts embedded PostgreSQL on first need, stops it and removes its data directory on close; a warm run starts nothing', async () => {
  const project = await mkdtemp(join(tmpdir(), 'migcheck-embedded-test-'));
  const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-embedded-cache-'));
  temporary.push(project, cacheDir);
  await writeFile(join(project, '1_create.sql'), 'CREATE TABLE items (id int PRIMARY KEY, price int);\n');
  await writeFile(join(project, '2_index.sql'), 'CREATE INDEX CONCURRENTLY items_price_idx ON items (price);\n');
  await writeFile(join(project, '3_widen.sql'), 'ALTER TABLE items ALTER COLUMN price TYPE bigint;\n');
  const migrations = discoverMigrations([project]);

  const progress: string[] = [];
  const startsBefore = serverActivity.embeddedStarts;
  const cold = await openShadow({ cacheDir, onProgress: (message) => progress.push(message) });
  expect(runningEmbeddedServers()).toHaveLength(0); // opening starts nothing

  const [prior] = await cold.priorSnapshots([migrations[2]!]);
  expect(prior).toMatchObject({ cached: false });
  if (!prior || !('snapshot' in prior)) throw new Error('expected a snapshot');
  expect(prior.snapshot.tables['public.items']?.columns['price']?.type).toBe('integer');
  expect(Object.keys(prior.snapshot.indexes)).toContain('public.items_price_idx');
  expect(progress[0]).toMatch(/^starting shadow PostgreSQL 1[3-9] \(embedded\)…$/);
  expect(serverActivity.embeddedStarts).toBe(startsBefore + 1);

  const [server] = runningEmbeddedServers();
  if (!server?.pid) throw new Error('expected a running embedded server with a PID');
  expect(existsSync(join(server.dataDir, 'PG_VERSION'))).toBe(true);
  expect(isAlive(server.pid)).toBe(true);
  expect(await portAnswers(server.port)).toBe(true);

  // A rehearsal database works on it too.
  const database = await cold.databaseBefore(migrations[2]!);
  if (!('client' in database)) throw new Error('expected a database');
  // The sandbox role (./sandbox.ts), not the superuser, owns and works in it.
  expect(database.url).toMatch(/^postgres:\/\/migcheck_sandbox:[^@]+@127\.0\.0\.1:\d+\/migcheck_shadow_[0-9a-f]{12}$/);
  await database.client.query('ALTER TABLE items ALTER COLUMN price TYPE bigint');
  // …which cannot reach the machine, and still installs trusted extensions.
  const { rows } = await database.client.query<{ user: string; super: boolean }>(
    'SELECT current_user AS user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super',
  );
  expect(rows[0]).toEqual({ user: 'migcheck_sandbox', super: false });
  await expect(database.client.query(`COPY (SELECT 1) TO PROGRAM 'true'`)).rejects.toThrow(/permission denied/);
  await expect(database.client.query(`SELECT pg_read_file('/etc/hostname')`)).rejects.toThrow(/permission denied/);
  await database.client.query('CREATE EXTENSION pgcrypto');
  // Everything of the server is in one private directory; the password file is gone once initdb has read it.
  expect(statSync(server.runtimeDir).mode & 0o777).toBe(0o700);
  expect(server.dataDir.startsWith(`${server.runtimeDir}/`)).toBe(true);
  expect(readdirSync(server.runtimeDir).filter((name) => name !== 'pg')).toEqual(['data']);

  await cold.close();
  expect(existsSync(server.runtimeDir)).toBe(false);
  expect(isAlive(server.pid)).toBe(false);
  expect(await portAnswers(server.port)).toBe(false);
  expect(runningEmbeddedServers()).toHaveLength(0);

  // Warm: every snapshot is in the cache, so no server starts at all.
  const warmProgress: string[] = [];
  const warm = await openShadow({ cacheDir, onProgress: (message) => warmProgress.push(message) });
  const [again] = await warm.priorSnapshots([migrations[2]!]);
  expect(again).toEqual({ snapshot: prior.snapshot, cached: true });
  expect(serverActivity.embeddedStarts).toBe(startsBefore + 1);
  expect(runningEmbeddedServers()).toHaveLength(0);
  expect(warmProgress).toEqual([]);
  await warm.close();
});

test.skipIf(!memoryFits())('without a TMPDIR, the server runs in memory (/dev/shm), and close() removes it from there', async () => {
  const project = await mkdtemp(join(tmpdir(), 'migcheck-embedded-memory-'));
  const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-embedded-memory-cache-'));
  temporary.push(project, cacheDir);
  await writeFile(join(project, '1_create.sql'), 'CREATE TABLE items (id int PRIMARY KEY, price int);\n');
  await writeFile(join(project, '2_widen.sql'), 'ALTER TABLE items ALTER COLUMN price TYPE bigint;\n');
  const given = process.env.TMPDIR;
  delete process.env.TMPDIR;
  try {
    const shadow = await openShadow({ cacheDir });
    const [prior] = await shadow.priorSnapshots([discoverMigrations([project])[1]!]);
    expect(prior && 'snapshot' in prior && prior.snapshot.tables['public.items']?.columns['price']?.type).toBe('integer');
    const [server] = runningEmbeddedServers();
    if (!server) throw new Error('expected a running embedded server');
    expect(server.runtimeDir.startsWith('/dev/shm/migcheck-shadow-')).toBe(true);
    expect(statSync(server.runtimeDir).mode & 0o777).toBe(0o700);
    await shadow.close();
    expect(existsSync(server.runtimeDir)).toBe(false);
    expect(runningEmbeddedServers()).toHaveLength(0);
  } finally {
    process.env.TMPDIR = given;
  }
});
