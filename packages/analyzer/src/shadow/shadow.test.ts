/**
 * The shadow on the run's real PostgreSQL server, passed as `url` (fast: no server start per test).
 * The embedded server itself is tested in ./embedded.test.ts.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, test, vi } from 'vitest';
import { createScratchDatabase } from '../../../../test/helpers/database.js';
import { readSchemaSnapshot, type SchemaSnapshot } from '../catalog/index.js';
import { discoverMigrations, type Migration } from '../source/discover.js';
import { openShadow, schemaAfter, type PriorResult, type Shadow, type ShadowDatabase } from './index.js';
import { ReplayCursor } from './replay.js';
import { anonymiseReplayRole } from './sandbox.js';
import { liveShadowDatabases, serverActivity } from './server.js';

const serverUrl = inject('postgresUrl');
const temporaryDirectories: string[] = [];
const openShadows: Shadow[] = [];

afterEach(async () => {
  await Promise.all(openShadows.splice(0).map((shadow) => shadow.close()));
});
afterAll(async () => {
  await Promise.all(temporaryDirectories.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function temporaryDirectory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `migcheck-shadow-test-${prefix}-`));
  temporaryDirectories.push(dir);
  return dir;
}

/** A directory of plain `<n>_<name>.sql` migrations, discovered as migcheck would. */
async function migrationDirectory(files: Record<string, string>): Promise<Migration[]> {
  const dir = await temporaryDirectory('migrations');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return discoverMigrations([dir]);
}

async function shadowOn(options: { cacheDir?: string; onProgress?: (message: string) => void } = {}): Promise<Shadow> {
  const shadow = await openShadow({ url: serverUrl, cacheDir: options.cacheDir ?? (await temporaryDirectory('cache')), ...options });
  openShadows.push(shadow);
  return shadow;
}

/**
 * The schema before each of `texts` and after the last, applied by hand (one query per file) in a scratch database,
 * with the role that applied them anonymised as the shadow anonymises its replay role (./sandbox.ts).
 */
async function appliedByHand(texts: string[]): Promise<SchemaSnapshot[]> {
  const db = await createScratchDatabase('shadow_by_hand');
  const read = async () => anonymiseReplayRole(await readSchemaSnapshot(db.client), decodeURIComponent(new URL(serverUrl).username));
  try {
    const snapshots = [await read()];
    for (const text of texts) {
      await db.client.query(text);
      snapshots.push(await read());
    }
    return snapshots;
  } finally {
    await db.drop();
  }
}

function snapshotOf(result: PriorResult | undefined): SchemaSnapshot {
  if (!result || !('snapshot' in result)) throw new Error(`expected a snapshot, got ${describeResult(result)}`);
  return result.snapshot;
}

function describeResult(result: PriorResult | undefined): string {
  return result && 'failure' in result ? `a failure in ${result.migration.id}: ${JSON.stringify(result.failure)}` : String(result);
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

function databaseNameOf(database: ShadowDatabase): string {
  return decodeURIComponent(new URL(database.url).pathname.slice(1));
}

const SHOP = {
  '1_create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
  '2_orders.sql': [
    'CREATE TYPE order_state AS ENUM (\'new\', \'paid\');',
    'CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint REFERENCES users (id), state order_state DEFAULT \'new\');',
    'CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);',
    '',
  ].join('\n'),
  '3_widen.sql': 'ALTER TABLE users ALTER COLUMN email TYPE varchar(320);\nDROP INDEX orders_user_idx;\n',
  '4_view.sql': 'CREATE VIEW paid_orders AS SELECT * FROM orders WHERE state = \'paid\';\n',
};
/** `shopByHand()[k]`: the schema before SHOP's migration k+1 (CONCURRENTLY dropped: one query per file is a transaction). */
let shopSnapshots: Promise<SchemaSnapshot[]> | undefined;
const shopByHand = () => (shopSnapshots ??= appliedByHand(Object.values(SHOP).map((text) => text.replace(' CONCURRENTLY', ''))));

describe('priorSnapshot', () => {
  test('is the schema of the history applied by hand', async () => {
    const migrations = await migrationDirectory(SHOP);
    const shadow = await shadowOn();
    const third = migrations[2]!;
    const result = await shadow.priorSnapshot(third);
    expect(result).toMatchObject({ cached: false });
    expect(snapshotOf(result)).toEqual((await shopByHand())[2]);
    // What the analyzer needs from it: the type and index before migration 3 changes them.
    expect(snapshotOf(result).tables['public.users']?.columns).toBeDefined();
    expect(Object.keys(snapshotOf(result).indexes)).toContain('public.orders_user_idx');
  });

  test('of the first migration (and of a lone file) is the empty database', async () => {
    const [first] = await migrationDirectory(SHOP);
    const lone = await temporaryDirectory('lone');
    await writeFile(join(lone, 'change.sql'), 'CREATE TABLE t (id int);\n');
    const [loneFile] = discoverMigrations([join(lone, 'change.sql')]);
    const shadow = await shadowOn();
    const [ofFirst, ofLone] = await shadow.priorSnapshots([first!, loneFile!]);
    const [empty] = await shopByHand();
    expect(snapshotOf(ofFirst)).toEqual(empty);
    expect(snapshotOf(ofLone)).toEqual(empty);
  });

  test('concurrent calls are answered by one replay', async () => {
    const migrations = await migrationDirectory(SHOP);
    const shadow = await shadowOn();
    const before = serverActivity.databasesCreated;
    const results = await Promise.all([...migrations].reverse().map((migration) => shadow.priorSnapshot(migration)));
    expect(results.every((result) => 'snapshot' in result && !result.cached)).toBe(true);
    expect(serverActivity.databasesCreated - before).toBe(1);
  });
});

describe('priorSnapshots', () => {
  test('replays a directory once, in order, and answers in input order', async () => {
    const migrations = await migrationDirectory(SHOP);
    const shadow = await shadowOn();
    const before = serverActivity.databasesCreated;
    const order = [3, 0, 2, 1];
    const results = await shadow.priorSnapshots(order.map((i) => migrations[i]!));
    expect(serverActivity.databasesCreated - before).toBe(1);
    for (const [position, index] of order.entries()) {
      expect(snapshotOf(results[position]), `before migration ${index + 1}`).toEqual(
        (await shopByHand())[index],
      );
    }
  });

  test('a second open with the same cache directory answers from the cache, without creating a database', async () => {
    const migrations = await migrationDirectory(SHOP);
    const cacheDir = await temporaryDirectory('cache');
    const cold = await shadowOn({ cacheDir });
    const first = await cold.priorSnapshots(migrations);
    await cold.close();
    expect(first.map((result) => 'cached' in result && result.cached)).toEqual([false, false, false, false]);
    const files = await readdir(join(cacheDir, 'snapshots'));
    expect(files.filter((file) => file.endsWith('.jsonl'))).toHaveLength(4);
    expect(files.filter((file) => file.endsWith('.tmp'))).toHaveLength(0);

    const activity = { ...serverActivity };
    const warm = await shadowOn({ cacheDir });
    const second = await warm.priorSnapshots(migrations);
    expect(second.map((result) => 'cached' in result && result.cached)).toEqual([true, true, true, true]);
    expect(second.map(snapshotOf)).toEqual(first.map(snapshotOf));
    expect(serverActivity).toEqual(activity);
  });

  test('an edited history migration is a new history: not served from the cache', async () => {
    const cacheDir = await temporaryDirectory('cache');
    const original = await migrationDirectory(SHOP);
    await (await shadowOn({ cacheDir })).priorSnapshot(original[3]!);
    const edited = await migrationDirectory({
      ...SHOP,
      '1_create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n',
    });
    const result = await (await shadowOn({ cacheDir })).priorSnapshot(edited[3]!);
    expect(result).toMatchObject({ cached: false });
    expect(snapshotOf(result).tables['public.users']?.columns).toHaveProperty('name');
  });

  test('a history migration that fails yields its path, line, column and the server message for every later target', async () => {
    const migrations = await migrationDirectory({
      '1_ok.sql': 'CREATE TABLE a (id int);\n',
      '2_broken.sql': '-- adds a reference\nALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = c;\n',
      '3_after.sql': 'CREATE TABLE c (id int);\n',
      '4_later.sql': 'CREATE TABLE d (id int);\n',
    });
    const shadow = await shadowOn();
    const results = await shadow.priorSnapshots(migrations);
    expect(snapshotOf(results[0])).toBeDefined();
    expect(snapshotOf(results[1])).toBeDefined(); // the broken one's own prior state is fine
    const failure = {
      failure: {
        path: migrations[1]!.up.path,
        line: 3,
        column: 18,
        message: 'column "c" does not exist',
        code: '42703',
      },
      migration: migrations[1],
    };
    expect(results[2]).toEqual(failure);
    expect(results[3]).toEqual(failure);
    expect(migrations[1]!.up.path).toMatch(/2_broken\.sql$/);
    // Known for the rest of the run: no replay again.
    const before = serverActivity.databasesCreated;
    expect(await shadow.priorSnapshot(migrations[3]!)).toEqual(failure);
    expect(await shadow.databaseBefore(migrations[2]!)).toEqual(failure);
    expect(serverActivity.databasesCreated).toBe(before);
  });

  test('says where a long replay is, at most every 500 ms', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 6; i++) files[`${i}_slow.sql`] = `CREATE TABLE t${i} (id int);\nSELECT pg_sleep(0.25);\n`;
    const migrations = await migrationDirectory(files);
    const messages: Array<{ at: number; message: string }> = [];
    const shadow = await shadowOn({ onProgress: (message) => messages.push({ at: Date.now(), message }) });
    const started = Date.now();
    await shadow.priorSnapshot(migrations[5]!);
    const label = migrations[0]!.directory!.path.split('/').at(-1)!;
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 500));
    expect(messages[0]!.message).toMatch(new RegExp(`^replaying ${label} history: \\d/6 \\(\\d_slow\\)$`));
    for (let i = 1; i < messages.length; i++) expect(messages[i]!.at - messages[i - 1]!.at).toBeGreaterThanOrEqual(490);
  });
});

describe('the migration tool', () => {
  test("diesel's tracking table exists before the first migration, as diesel creates it (migrations may use it)", async () => {
    const dir = await temporaryDirectory('diesel');
    const write = async (folder: string, up: string) => {
      await mkdir(join(dir, folder));
      await writeFile(join(dir, folder, 'up.sql'), up);
      await writeFile(join(dir, folder, 'down.sql'), '');
    };
    await write('2024-01-01-000000_guard', [
      'CREATE FUNCTION guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$;',
      'CREATE TRIGGER guard BEFORE INSERT ON __diesel_schema_migrations EXECUTE FUNCTION guard();',
    ].join('\n'));
    await write('2024-02-01-000000_next', 'CREATE TABLE next (id int);\n');
    const migrations = discoverMigrations([dir]);
    expect(migrations.map((migration) => migration.layout)).toEqual(['diesel', 'diesel']);
    const [first, second] = await (await shadowOn()).priorSnapshots(migrations);
    expect(Object.keys(snapshotOf(first).tables)).toEqual(['public.__diesel_schema_migrations']);
    expect(snapshotOf(second).triggers).toHaveProperty(['public.__diesel_schema_migrations.guard']);
  });
});

describe('goose: transactions and code steps, as goose runs them', () => {
  const goose = (up: string, annotations = '') => `${annotations}-- +goose Up\n${up}\n-- +goose Down\nSELECT 1;\n`;

  test('each file runs in one transaction (LOCK TABLE works), NO TRANSACTION files in autocommit (CONCURRENTLY works)', async () => {
    const migrations = await migrationDirectory({
      '1_table.sql': goose('CREATE TABLE t (id int);'),
      '2_locked.sql': goose('LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nALTER TABLE t ADD COLUMN b int;'),
      '3_concurrent.sql': goose('CREATE INDEX CONCURRENTLY t_b ON t (b);', '-- +goose NO TRANSACTION\n'),
      '4_after.sql': goose('CREATE TABLE after (id int);'),
    });
    expect(migrations.map((migration) => migration.layout)).toEqual(['goose', 'goose', 'goose', 'goose']);
    const results = await (await shadowOn()).priorSnapshots(migrations);
    const last = snapshotOf(results[3]);
    expect(Object.keys(last.tables['public.t']!.columns).sort()).toEqual(['b', 'id']);
    expect(last.indexes).toHaveProperty(['public.t_b']);
  });

  test('a Go-coded migration stops the replay there: every later migration gets it as the reason', async () => {
    const migrations = await migrationDirectory({
      '1_table.sql': goose('CREATE TABLE t (id int);'),
      '2_backfill.go': 'package migrations\n\nfunc init() { goose.AddMigrationNoTxContext(up, down) }\n',
      '3_after.sql': goose('ALTER TABLE t ADD COLUMN b int;'),
      '4_later.sql': goose('CREATE TABLE later (id int);'),
    });
    expect(migrations[1]!.code).toEqual({ language: 'go' });
    const results = await (await shadowOn()).priorSnapshots(migrations);
    expect(snapshotOf(results[1]).tables).toHaveProperty(['public.t']); // the state before the code step is known
    for (const result of results.slice(2)) {
      expect(result).toMatchObject({ failure: { path: migrations[1]!.up.path, message: expect.stringMatching(/written in Go cannot be read or replayed/) } });
    }
  });
});

describe('snapshotsWithin', () => {
  const WITHIN = {
    '1_table.sql': 'CREATE TABLE t (id int);\n',
    '2_steps.sql': 'ALTER TABLE t ADD COLUMN a int;\nALTER TABLE t RENAME COLUMN a TO b;\nCREATE INDEX t_b ON t (b);\n',
    '3_after.sql': 'ALTER TABLE t ADD COLUMN c int;\n',
    '4_last.sql': 'ALTER TABLE t ADD COLUMN d int;\nALTER TABLE t RENAME COLUMN d TO e;\n',
  };
  /** By hand, one statement at a time: [0] before 2_steps, [1..3] before each of its statements, [4] before 3_after. */
  const statementsByHand = () =>
    appliedByHand(['CREATE TABLE t (id int)', 'ALTER TABLE t ADD COLUMN a int', 'ALTER TABLE t RENAME COLUMN a TO b', 'CREATE INDEX t_b ON t (b)', 'ALTER TABLE t ADD COLUMN c int']);

  test('are read while the replay applies the file, once: no copy, no transaction rolled back, and the replay goes on', async () => {
    const migrations = await migrationDirectory(WITHIN);
    const byHand = await statementsByHand();
    const shadow = await shadowOn();
    const created = serverActivity.databasesCreated;
    const rolledBack = vi.spyOn(ReplayCursor.prototype, 'inRolledBackTransaction');
    try {
      expect(snapshotOf(await shadow.priorSnapshot(migrations[1]!))).toEqual(byHand[1]);
      const within = await shadow.snapshotsWithin(migrations[1]!, [1, 2]);
      expect([...within.keys()].sort()).toEqual([1, 2]);
      expect(within.get(1)).toEqual(byHand[2]); // column a, before its rename
      expect(within.get(2)).toEqual(byHand[3]); // column b, no index yet
      expect(snapshotOf(await shadow.priorSnapshot(migrations[2]!))).toEqual(byHand[4]);
      expect(rolledBack).not.toHaveBeenCalled();
      expect(serverActivity.databasesCreated - created).toBe(1); // the replay's own database, nothing else
    } finally {
      rolledBack.mockRestore();
    }
  });

  test('a file that cannot run in a transaction is read the same way, on the replay itself', async () => {
    const migrations = await migrationDirectory({
      '1_table.sql': 'CREATE TABLE t (id int);\n',
      '2_concurrent.sql': 'ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY t_b ON t (b);\nALTER TABLE t ADD COLUMN c int;\n',
      '3_after.sql': 'SELECT 1;\n',
    });
    const shadow = await shadowOn();
    const created = serverActivity.databasesCreated;
    const within = await shadow.snapshotsWithin(migrations[1]!, [1, 2]);
    expect(Object.keys(within.get(1)!.tables['public.t']!.columns).sort()).toEqual(['b', 'id']);
    expect(within.get(1)!.indexes).not.toHaveProperty(['public.t_b']);
    expect(within.get(2)!.indexes).toHaveProperty(['public.t_b']);
    const after = snapshotOf(await shadow.priorSnapshot(migrations[2]!));
    expect(Object.keys(after.tables['public.t']!.columns).sort()).toEqual(['b', 'c', 'id']);
    expect(serverActivity.databasesCreated - created).toBe(1); // no copy of the prior state
  });

  test('of the last migration leave the replay before it: the schema after it is read in one copy, not a new replay', async () => {
    const migrations = await migrationDirectory(WITHIN);
    const shadow = await shadowOn();
    const created = serverActivity.databasesCreated;
    const within = await shadow.snapshotsWithin(migrations[3]!, [1]);
    expect(Object.keys(within.get(1)!.tables['public.t']!.columns).sort()).toEqual(['b', 'c', 'd', 'id']);
    const after = await schemaAfter(shadow, migrations[3]!);
    expect(Object.keys(after!.tables['public.t']!.columns).sort()).toEqual(['b', 'c', 'e', 'id']);
    expect(serverActivity.databasesCreated - created).toBe(2); // the replay's database and the one copy
  });

  test('stop at a statement that fails: the ones before it are read, and the history fails there for later migrations', async () => {
    const migrations = await migrationDirectory({
      '1_table.sql': 'CREATE TABLE t (id int);\n',
      '2_broken.sql': 'ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = missing;\nALTER TABLE t ADD COLUMN c int;\n',
      '3_after.sql': 'SELECT 1;\n',
    });
    const shadow = await shadowOn();
    const within = await shadow.snapshotsWithin(migrations[1]!, [1, 2]);
    expect([...within.keys()]).toEqual([1]);
    expect(Object.keys(within.get(1)!.tables['public.t']!.columns).sort()).toEqual(['b', 'id']);
    expect(await shadow.priorSnapshot(migrations[2]!)).toMatchObject({
      failure: { path: migrations[1]!.up.path, line: 2, message: 'column "missing" does not exist' },
      migration: migrations[1],
    });
  });
});

describe('databaseBefore', () => {
  test('is a database in the prior state; release drops it; the same state again needs no replay', async () => {
    const migrations = await migrationDirectory(SHOP);
    // Count how often each history file is read to be applied (the hash chain reads each once).
    let reads = 0;
    for (const migration of migrations) {
      const up = migration.up;
      const text = up.text;
      Object.defineProperty(up, 'text', { get: () => (reads++, text) });
    }
    const shadow = await shadowOn();
    const prior = snapshotOf(await shadow.priorSnapshot(migrations[3]!));
    const readsForSnapshot = reads;

    const first = await shadow.databaseBefore(migrations[3]!);
    if (!('client' in first)) throw new Error('expected a database');
    expect(await shadow.readSnapshot(first.client)).toEqual(prior);
    // Rehearse in it: it is a database of its own.
    await first.client.query('ALTER TABLE orders ADD COLUMN rehearsal int');
    const readsAfterFirst = reads;

    const second = await shadow.databaseBefore(migrations[3]!);
    if (!('client' in second)) throw new Error('expected a database');
    expect(reads).toBe(readsAfterFirst); // copied from the template: nothing replayed
    expect(await shadow.readSnapshot(second.client)).toEqual(prior);
    expect(readsForSnapshot).toBeGreaterThan(0);

    const name = databaseNameOf(first);
    expect(await databaseExists(name)).toBe(true);
    await first.release();
    await first.release(); // idempotent
    expect(await databaseExists(name)).toBe(false);
    await second.release();
    expect(await databaseExists(databaseNameOf(second))).toBe(false);
  });

  test('states in history order advance one replay; an earlier state starts again', async () => {
    const migrations = await migrationDirectory(SHOP);
    const shadow = await shadowOn();
    for (const index of [1, 2, 3, 0]) {
      const database = await shadow.databaseBefore(migrations[index]!);
      if (!('client' in database)) throw new Error(`expected a database, got ${describeResult(database)}`);
      expect(await shadow.readSnapshot(database.client)).toEqual((await shopByHand())[index]);
      await database.release();
    }
  });
});

describe('close', () => {
  test('drops every database it created on the url server, including unreleased rehearsal databases', async () => {
    const migrations = await migrationDirectory(SHOP);
    const alreadyLive = new Set(liveShadowDatabases());
    const shadow = await shadowOn();
    await shadow.priorSnapshots(migrations);
    const kept = await shadow.databaseBefore(migrations[2]!);
    if (!('client' in kept)) throw new Error('expected a database');
    const created = liveShadowDatabases().filter((name) => !alreadyLive.has(name));
    expect(created.length).toBeGreaterThanOrEqual(2); // the replay's and the rehearsal's
    expect(created.every((name) => /^migcheck_shadow_[0-9a-f]{12}$/.test(name))).toBe(true);
    for (const name of created) expect(await databaseExists(name)).toBe(true);

    await shadow.close();
    for (const name of created) expect(await databaseExists(name), name).toBe(false);
    expect(liveShadowDatabases().filter((name) => !alreadyLive.has(name))).toEqual([]);
    await expect(shadow.priorSnapshot(migrations[0]!)).rejects.toThrow(/closed/);
  });
});

describe('passwords', () => {
  const secret = 'Very$ecret-Pass';
  const encoded = encodeURIComponent(secret);

  async function errorOf(url: string): Promise<Error> {
    const [migration] = await migrationDirectory({ '1_a.sql': 'CREATE TABLE a (id int);\n' });
    try {
      const shadow = await openShadow({ url, cacheDir: await temporaryDirectory('cache') });
      openShadows.push(shadow);
      await shadow.priorSnapshot(migration!);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected an error');
  }

  test('never appear in the error of an unreachable server', async () => {
    const error = await errorOf(`postgres://someone:${encoded}@127.0.0.1:1/postgres`);
    expect(error.message).toContain('postgres://someone:***@127.0.0.1:1/postgres');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(encoded);
  });

  test('never appear in the error of a refused login', async () => {
    const url = new URL(serverUrl);
    url.username = 'migcheck_no_such_role';
    url.password = encoded;
    const error = await errorOf(url.toString());
    expect(error.message).toMatch(/migcheck_no_such_role/);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(encoded);
  });

  test('never appear in the error of an invalid URL', async () => {
    const error = await errorOf(`postgres://someone:${secret}@[bad`);
    expect(error.message).not.toContain(secret);
  });
});
