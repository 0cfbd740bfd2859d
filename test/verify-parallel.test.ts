/**
 * `verify` at speed (issue 14): a rehearsal that can run in a transaction runs in place, on the replay cursor, rolled
 * back after; the others run several at once, each in copies of its prior state on the one shadow server; the prior schema comes from the snapshot cache that lint shares; the data comparison is left out when no
 * verdict can depend on it. None of this may change a verdict: the reports are compared with sequential ones.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { lint, verify } from '../packages/analyzer/src/commands.js';
import { rehearseMigration } from '../packages/analyzer/src/rehearsal/rehearse.js';
import type { Report } from '../packages/analyzer/src/report/schema.js';
import { openShadow } from '../packages/analyzer/src/shadow/index.js';
import { liveShadowDatabases, serverActivity } from '../packages/analyzer/src/shadow/server.js';
import { discoverMigrations } from '../packages/analyzer/src/source/discover.js';
import { analyzeMigration } from '../packages/analyzer/src/plan/analyze.js';

const root = resolve(import.meta.dirname, '..');
const shadow = () => ({ url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-verify-parallel-cache-')) });

/** A golang-migrate directory from {name: [up, down?]}. */
function project(files: Record<string, [string, string?]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-verify-parallel-'));
  for (const [name, [up, down]] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.up.sql`), up);
    if (down !== undefined) writeFileSync(join(dir, `${name}.down.sql`), down);
  }
  return dir;
}

/** Everything but where the files were and the cache's own notes. */
const comparable = (report: Report) => JSON.parse(JSON.stringify(report).replaceAll(/migcheck-verify-parallel-[A-Za-z0-9]+/g, 'DIR')) as unknown;

/** Safe and risky migrations, one rehearsed in copies, one whose rollback fails on seeded rows, one whose down is wrong, one that fails. */
const MIXED = {
  '0001_users': ['CREATE TABLE users (id serial PRIMARY KEY, nickname text NOT NULL, age int);', 'DROP TABLE users;'],
  '0002_email': ['ALTER TABLE users ADD COLUMN email text;', 'ALTER TABLE users DROP COLUMN email;'],
  '0003_optional_nickname': ['ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;'],
  '0004_index': ['CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', 'DROP INDEX CONCURRENTLY users_email_idx;'],
  '0005_widen': ['ALTER TABLE users ALTER COLUMN age TYPE bigint;', 'ALTER TABLE users ALTER COLUMN age TYPE int;'],
  '0006_key': ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', 'SELECT 1;'],
  '0007_backfill': ["ALTER TABLE users ADD COLUMN note text;\nUPDATE users SET nickname = 'x';"],
  '0008_drop': ['ALTER TABLE users DROP COLUMN age;'],
  '0009_broken': ['ALTER TABLE no_such_table ADD COLUMN b int;'],
  '0010_after': ['ALTER TABLE users ADD COLUMN c int;'],
} satisfies Record<string, [string, string?]>;

describe('verify in parallel', () => {
  it('gives the same report with 1 and 3 rehearsals at once, failing rehearsals included', async () => {
    const dir = project(MIXED);
    const sequential = await verify([dir], { shadow: shadow(), concurrency: 1 });
    const parallel = await verify([dir], { shadow: shadow(), concurrency: 3 });
    expect(comparable(parallel)).toEqual(comparable(sequential));
    // The failures stayed with their own migrations: a seeded-row failure, a wrong down, a broken migration.
    const byId = new Map(parallel.migrations.map((migration) => [migration.id, migration]));
    expect(byId.get('0003_optional_nickname')?.changes[0]).toMatchObject({ verdict: 'risky', evidence: 'rehearsed' });
    expect(byId.get('0003_optional_nickname')?.changes[0]?.reason).toMatch(/contains null values/);
    expect(byId.get('0004_index')?.rehearsal).toMatchObject({ mode: 'database', restored: true });
    expect(byId.get('0006_key')?.rehearsal?.down).toMatchObject({ restored: false });
    expect(byId.get('0007_backfill')?.verdict).not.toBe('safe');
    expect(byId.get('0009_broken')?.rehearsal?.failure).toMatch(/^migration: .*no_such_table/);
    expect(byId.get('0010_after')?.rehearsal?.failure).toMatch(/^history: .*0009_broken/);
    expect(byId.get('0002_email')?.changes.map((change) => [change.verdict, change.evidence])).toEqual([['safe', 'rehearsed']]);
    expect(liveShadowDatabases()).toEqual([]);
  });

  it('rehearses in place, on the replay cursor, what can run in a transaction: no copy is made', async () => {
    // 0002 leaves what a rollback does not undo: a prepared statement, an advisory lock, a moved sequence; and its
    // DEALLOCATE ALL must not reach the catalog reader's statements on the same session.
    const dir = project({
      '0001_a': ['CREATE TABLE a (id serial PRIMARY KEY);', 'DROP TABLE a;'],
      '0002_b': ["PREPARE kept AS SELECT 1;\nDEALLOCATE ALL;\nPREPARE kept AS SELECT 2;\nSELECT pg_advisory_lock(7);\nALTER TABLE a ADD COLUMN b text;\nINSERT INTO a (b) VALUES ('x');"],
      '0003_c': ['CREATE TABLE c (id int);\nPREPARE kept AS SELECT 3;'],
    });
    const created = serverActivity.databasesCreated;
    const report = await verify([dir], { shadow: shadow(), concurrency: 1 });
    expect(report.migrations.map((migration) => migration.rehearsal?.mode)).toEqual(['transaction', 'transaction', 'transaction']);
    expect(report.migrations.map((migration) => migration.rehearsal?.failure)).toEqual([undefined, undefined, undefined]);
    expect(serverActivity.databasesCreated - created).toBe(1); // the replay cursor's
    // In two lanes: a replay cursor each, and still no copy.
    const inLanes = serverActivity.databasesCreated;
    expect(comparable(await verify([dir], { shadow: shadow(), concurrency: 2 }))).toEqual(comparable(report));
    expect(serverActivity.databasesCreated - inLanes).toBe(2);
  });

  it('runs rehearsals in copies at once, each in databases of its own', async () => {
    // Each rehearsal holds its databases for a while: with 3 at once, more than one copy exists at a time.
    // CONCURRENTLY cannot run in a transaction block: these are rehearsed in copies.
    const slow = (n: number): [string] => [`CREATE TABLE t${n} (id int);\nCREATE INDEX CONCURRENTLY t${n}_id ON t${n} (id);\nSELECT pg_sleep(0.4);`];
    const dir = project({ '0001_a': slow(1), '0002_b': slow(2), '0003_c': slow(3), '0004_d': slow(4), '0005_e': slow(5) });
    let most = 0;
    const watch = setInterval(() => {
      most = Math.max(most, liveShadowDatabases().length);
    }, 10);
    try {
      await verify([dir], { shadow: shadow(), concurrency: 3 });
    } finally {
      clearInterval(watch);
    }
    // The replay cursor and at least two rehearsal databases (one at a time would be 2 in all).
    expect(most).toBeGreaterThanOrEqual(3);
  });

  it('fills the snapshot cache that lint reads: after verify, lint replays nothing', async () => {
    const options = { cwd: root, shadow: shadow() };
    const target = join(root, 'fixtures/shop/migrations/000004_widen_age.up.sql');
    await verify([join(root, 'fixtures/shop/migrations')], options);
    const linted = await lint([target], options);
    expect(linted.migrations[0]!.history).toEqual({ replayed: 3, cached: true });
  });
});

describe('the data comparison of a rehearsal', () => {
  async function rehearse(setup: string, migration: string) {
    const dir = project({ '0001_setup': [setup], '0002_change': [migration] });
    const migrations = discoverMigrations([dir]);
    const target = migrations.at(-1)!;
    const shadowSession = await openShadow(shadow());
    try {
      const result = await rehearseMigration(shadowSession, target, (prior) => analyzeMigration(target, { prior }));
      if (!('analysis' in result)) throw new Error(`history failed: ${result.historyFailure.message}`);
      return result;
    } finally {
      await shadowSession.close();
    }
  }

  it('is left out when no change can be safe, since it could not change a verdict', async () => {
    const rehearsal = await rehearse('CREATE TABLE users (id int, phone text);', 'ALTER TABLE users DROP COLUMN phone;');
    expect(rehearsal.analysis.verdict).toBe('irreversible');
    expect(rehearsal.data.skipped).toMatch(/^not needed/);
    expect(rehearsal.data.rows.seeded).toEqual([]);
  });

  it('still runs when a change is safe', async () => {
    const rehearsal = await rehearse('CREATE TABLE users (id int);', 'ALTER TABLE users ADD COLUMN email text;');
    expect(rehearsal.data.skipped).toBeUndefined();
    expect(rehearsal.data.rows.seeded.join('\n')).toMatch(/public\.users: \d rows/);
  });
});
