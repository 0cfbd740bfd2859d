/**
 * The seed's Part 4, end to end against a real target database: the data that is there decides each
 * branch. Each test builds a target (a scratch database on the test server) with a golang-migrate
 * history applied and recorded in its tracking table, writes the rows that decide the branch, and runs
 * `plan` with the database. The shadow database replays the history on the same server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { plan, type PlanOptions } from '../packages/analyzer/src/commands.js';
import type { ChangeReport, Report } from '../packages/analyzer/src/report/schema.js';
import { reportSchema } from '../packages/analyzer/src/report/schema.js';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from './helpers/database.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

interface Scenario {
  /** Migrations in order: [name, up SQL]. */
  migrations: Array<[string, string]>;
  /** How many of them are applied to the target (and recorded in schema_migrations). */
  applied: number;
  /** Rows written on the target after the applied migrations. */
  data?: string;
  /** Record nothing in a tracking table: the state must come from the catalog. */
  untracked?: boolean;
}

const run = (db: ScratchDatabase, sql: string) => runStatements(db.client, sql);

/** Scenarios on one of the test servers (`targetServers()`); the shadow stays on the run's server. */
function scenariosOn(serverUrl: string) {
  /** A target database in the scenario's state, and the migrations directory. */
  async function target(scenario: Scenario): Promise<{ db: ScratchDatabase; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-target-'));
    scenario.migrations.forEach(([name, up], index) => writeFileSync(join(dir, `${String(index + 1).padStart(4, '0')}_${name}.up.sql`), up));
    const db = await createScratchDatabase('target', serverUrl);
    databases.push(db);
    for (const [, up] of scenario.migrations.slice(0, scenario.applied)) await run(db, up);
    if (!scenario.untracked) {
      await run(db, `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (${scenario.applied}, false);`);
    }
    if (scenario.data) await run(db, scenario.data);
    return { db, dir };
  }

  /** Plans the whole directory, or with `lastOnly` just its last migration (the earlier ones are its history). */
  async function planFor(scenario: Scenario, extra: Partial<PlanOptions> = {}, lastOnly = false): Promise<Report> {
    const { db, dir } = await target(scenario);
    const last = join(dir, `${String(scenario.migrations.length).padStart(4, '0')}_${scenario.migrations.at(-1)![0]}.up.sql`);
    return reportSchema.parse(await plan([lastOnly ? last : dir], options(db, extra)));
  }
  return { target, planFor };
}

function options(db: ScratchDatabase, extra: Partial<PlanOptions> = {}): PlanOptions {
  return { database: { url: db.url }, shadow: { url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-cache-')) }, ...extra };
}

function lastChange(report: Report): ChangeReport {
  return report.migrations.at(-1)!.changes.at(-1)!;
}

const USERS = ['create_users', 'CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, age integer, phone text);'] as [string, string];

describe.each(targetServers())('on $name', (server) => {
  it("says the size of a table next to a rollback step that rewrites it (issue 12: '…, 2.3 GB, ~41M rows')", async () => {
    const { planFor } = scenariosOn(server.url);
    const report = await planFor({
      migrations: [
        ['create_events', 'CREATE TABLE events (id bigint PRIMARY KEY, amount integer);'],
        ['widen_amount', 'ALTER TABLE events ALTER COLUMN amount TYPE bigint;'],
      ],
      applied: 2,
      data: 'INSERT INTO events SELECT g, g FROM generate_series(1, 20000) g; ANALYZE events;',
    });
    const lockLine = report.rollback!.sql.split('\n').find((line) => line.startsWith('-- lock:') && line.includes('rewrites'));
    expect(lockLine).toMatch(/\(public\.events: \d+(\.\d)? (kB|MB), ~20k rows\)/);
    expect(report.rollback!.downtime!.join('\n')).toMatch(/public\.events: .*~20k rows/);
  });

  const { target, planFor } = scenariosOn(server.url);

  describe('the seed\'s Part 4 against live data (migration applied)', () => {
    it('added column, no data yet → safe', async () => {
      const report = await planFor({ migrations: [USERS, ['add_email', 'ALTER TABLE users ADD COLUMN email text;']], applied: 2, data: "INSERT INTO users (name) VALUES ('ann');" }, {}, true);
      expect(report.migrations).toHaveLength(1);
      expect(report.migrations[0]).toMatchObject({ state: 'applied', stateReason: 'schema_migrations is at version 2' });
      expect(lastChange(report)).toMatchObject({ verdict: 'safe', evidence: 'data', rollback: ['ALTER TABLE public.users DROP COLUMN email;'] });
      expect(lastChange(report).dataCheck).toMatchObject({ question: 'Does the column hold data?', answer: 'no' });
      expect(lastChange(report).dataCheck!.ms).toBeLessThan(5000);
      expect(report.acceptance).toBe('not-needed');
    });

    it('added column with data → risky: back it up first; acceptable risk is a policy', async () => {
      const scenario: Scenario = { migrations: [USERS, ['add_email', 'ALTER TABLE users ADD COLUMN email text;']], applied: 2, data: "INSERT INTO users (name, email) VALUES ('ann', 'ann@example.com');" };
      const report = await planFor(scenario);
      const change = lastChange(report);
      expect(change).toMatchObject({ verdict: 'risky', evidence: 'data' });
      expect(change.reason).toMatch(/holds data/);
      expect(change.rollback).toEqual([
        'CREATE SCHEMA IF NOT EXISTS migcheck_backup;',
        'CREATE TABLE migcheck_backup.users__email AS SELECT id, email FROM public.users WHERE email IS NOT NULL;',
        'ALTER TABLE public.users DROP COLUMN email;',
      ]);
      expect(change.notes?.[0]).toMatch(/UPDATE public\.users AS t SET email = b\.email FROM migcheck_backup\.users__email AS b WHERE t\.id = b\.id/);
      expect(report.acceptance).toBe('needed');
      expect((await planFor(scenario, { acceptRisk: true })).acceptance).toBe('accepted');
    });

    it('dropped column → irreversible, forward fix only', async () => {
      const report = await planFor({ migrations: [USERS, ['drop_phone', 'ALTER TABLE users DROP COLUMN phone;']], applied: 2 });
      expect(lastChange(report)).toMatchObject({ verdict: 'irreversible' });
      expect(report).toMatchObject({ outcome: 'forward-fix-only', rollback: null });
    });

    it('type change, values still fit the old type → safe; bigint beyond int range → irreversible', async () => {
      const migrations: Array<[string, string]> = [USERS, ['widen_age', 'ALTER TABLE users ALTER COLUMN age TYPE bigint;']];
      const fits = lastChange(await planFor({ migrations, applied: 2, data: "INSERT INTO users (name, age) VALUES ('ann', 2147483647);" }));
      expect(fits).toMatchObject({ verdict: 'safe', evidence: 'data', rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'] });
      const beyond = await planFor({ migrations, applied: 2, data: "INSERT INTO users (name, age) VALUES ('bob', 2147483648);" });
      expect(lastChange(beyond)).toMatchObject({ verdict: 'irreversible', evidence: 'data' });
      expect(lastChange(beyond).reason).toMatch(/Cannot Revert/);
      expect(beyond.outcome).toBe('forward-fix-only');
    });

    it('added table without rows → safe; with rows → risky: BACKUP TABLE, DROP TABLE', async () => {
      const migrations: Array<[string, string]> = [USERS, ['create_orders', 'CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2));']];
      expect(lastChange(await planFor({ migrations, applied: 2 }))).toMatchObject({ verdict: 'safe', evidence: 'data', rollback: ['DROP TABLE public.orders;'] });
      const withRows = lastChange(await planFor({ migrations, applied: 2, data: 'INSERT INTO orders (total) VALUES (9.99);' }));
      expect(withRows).toMatchObject({ verdict: 'risky', evidence: 'data' });
      expect(withRows.rollback).toEqual(['CREATE SCHEMA IF NOT EXISTS migcheck_backup;', 'CREATE TABLE migcheck_backup.orders AS TABLE public.orders;', 'DROP TABLE public.orders;']);
    });

    it('NULLs before re-adding NOT NULL, duplicates before re-adding UNIQUE, orphans before re-adding a foreign key, rows failing a dropped check', async () => {
      const base: [string, string] = ['base', `${USERS[1]} CREATE TABLE orders (id int, user_id bigint CONSTRAINT orders_user_fk REFERENCES users (id), code text CONSTRAINT orders_code_key UNIQUE, total int CONSTRAINT orders_total_check CHECK (total > 0));`];
      const report = await planFor({
        migrations: [base, ['relax', 'ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_code_key, DROP CONSTRAINT orders_user_fk, DROP CONSTRAINT orders_total_check;']],
        applied: 2,
        data: "INSERT INTO users (name) VALUES (NULL); INSERT INTO orders VALUES (1, 999, 'A', -5), (2, NULL, 'A', 1);",
      });
      const changes = report.migrations[1]!.changes;
      expect(changes.map((c) => [c.kind, c.verdict, c.evidence])).toEqual([
        ['drop_not_null', 'risky', 'data'],
        ['drop_constraint', 'risky', 'data'],
        ['drop_constraint', 'risky', 'data'],
        ['drop_constraint', 'risky', 'data'],
      ]);
      expect(changes[0]!.reason).toMatch(/holds NULLs/);
      expect(changes.slice(1).every((c) => /Rows violate/.test(c.reason))).toBe(true);
    });

    it('duplicates before rebuilding a dropped unique index', async () => {
      const report = await planFor({
        migrations: [['accounts', 'CREATE TABLE accounts (id int, email text); CREATE UNIQUE INDEX accounts_email_key ON accounts (email);'], ['relax', 'DROP INDEX accounts_email_key;']],
        applied: 2,
        data: "INSERT INTO accounts VALUES (1, 'a@x'), (2, 'a@x');",
      }, {}, true);
      expect(lastChange(report)).toMatchObject({ kind: 'drop_index', verdict: 'risky', evidence: 'data', rollback: ['CREATE UNIQUE INDEX accounts_email_key ON public.accounts USING btree (email);'] });
      expect(lastChange(report).reason).toMatch(/Duplicates were written/);
    });

    it('an enum value in use', async () => {
      const report = await planFor({
        migrations: [['mood', "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE notes (m mood);"], ['happy', "ALTER TYPE mood ADD VALUE 'happy';"]],
        applied: 2,
        data: "INSERT INTO notes VALUES ('happy');",
      });
      expect(lastChange(report)).toMatchObject({ kind: 'add_enum_value', verdict: 'risky', evidence: 'data' });
      expect(lastChange(report).reason).toMatch(/Rows use 'happy'/);
    });
  });

  describe('before the deploy (migration pending)', () => {
    it('a column about to be dropped: empty → safe, with data → irreversible', async () => {
      const migrations: Array<[string, string]> = [USERS, ['drop_phone', 'ALTER TABLE users DROP COLUMN phone;']];
      const empty = await planFor({ migrations, applied: 1, data: "INSERT INTO users (name) VALUES ('ann');" });
      expect(empty.migrations[1]!.state).toBe('pending');
      expect(lastChange(empty)).toMatchObject({ verdict: 'safe', evidence: 'data', rollback: ['ALTER TABLE public.users ADD COLUMN phone text;'] });
      const full = await planFor({ migrations, applied: 1, data: "INSERT INTO users (name, phone) VALUES ('ann', '555');" });
      expect(lastChange(full)).toMatchObject({ verdict: 'irreversible', evidence: 'data' });
    });

    it('a narrowing cast: values that survive → safe, values that would be rounded → irreversible', async () => {
      const migrations: Array<[string, string]> = [['prices', 'CREATE TABLE prices (amount numeric(10,2));'], ['round', 'ALTER TABLE prices ALTER COLUMN amount TYPE numeric(10,0);']];
      expect(lastChange(await planFor({ migrations, applied: 1, data: 'INSERT INTO prices VALUES (12.00);' }))).toMatchObject({ verdict: 'safe', evidence: 'data' });
      expect(lastChange(await planFor({ migrations, applied: 1, data: 'INSERT INTO prices VALUES (12.34);' }))).toMatchObject({ verdict: 'irreversible', evidence: 'data' });
    });
  });

  describe('state', () => {
    it('without a tracking table, the catalog decides; when it cannot, both are planned', async () => {
      const migrations: Array<[string, string]> = [USERS, ['add_email', 'ALTER TABLE users ADD COLUMN email text;']];
      const applied = await planFor({ migrations, applied: 2, untracked: true });
      expect(applied.migrations[1]).toMatchObject({ state: 'applied', stateReason: expect.stringMatching(/^catalog: public\.users\.email matches/) });
      const pending = await planFor({ migrations, applied: 1, untracked: true });
      expect(pending.migrations[1]).toMatchObject({ state: 'pending' });
      const unknown = await planFor({ migrations: [['describe', "COMMENT ON SCHEMA public IS 'the app';"]], applied: 0, untracked: true });
      expect(unknown.migrations[0]!.state).toBe('unknown');
    });

    it('--state overrides', async () => {
      const { db, dir } = await target({ migrations: [USERS, ['add_email', 'ALTER TABLE users ADD COLUMN email text;']], applied: 2 });
      const report = await plan([dir], { ...options(db), database: { url: db.url, state: 'pending' } });
      expect(report.migrations[1]).toMatchObject({ state: 'pending', stateReason: 'given: --state pending' });
    });
  });

  describe('safety of the target database', () => {
    it('works with a SELECT-only role, and leaves schema and data exactly as they were', async () => {
      const scenario: Scenario = { migrations: [USERS, ['add_email', 'ALTER TABLE users ADD COLUMN email text;']], applied: 2, data: "INSERT INTO users (name, email, age) SELECT 'u' || g, 'u' || g || '@x', g FROM generate_series(1, 500) g;" };
      const { db, dir } = await target(scenario);
      const role = `reader_${db.name.slice(-8)}`;
      await run(db, `CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};`);
      const checksum = async () => (await db.client.query("SELECT md5(string_agg(u::text, ',' ORDER BY id)) AS sum FROM users u")).rows[0].sum as string;
      const tables = async () => (await db.client.query("SELECT string_agg(relname, ',' ORDER BY relname) AS names FROM pg_class WHERE relnamespace = 'public'::regnamespace")).rows[0].names as string;
      const before = [await checksum(), await tables()];
      const url = new URL(db.url);
      url.username = role;
      url.password = 'reader-pw';
      const report = await plan([dir], { ...options(db), database: { url: url.toString() } });
      expect(lastChange(report)).toMatchObject({ verdict: 'risky', evidence: 'data' });
      expect([await checksum(), await tables()]).toEqual(before);
      await run(db, `DROP OWNED BY ${role}; DROP ROLE ${role};`);
    });

    it('a probe on a table held by an exclusive lock times out into unknown → risky, never safe', async () => {
      const { db, dir } = await target({ migrations: [USERS, ['create_orders', 'CREATE TABLE orders (id int);']], applied: 2 });
      const { default: pg } = await import('pg');
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;');
        const change = lastChange(await plan([dir], options(db)));
        expect(change).toMatchObject({ kind: 'add_table', verdict: 'risky', evidence: 'data' });
        expect(change.reason).toMatch(/Could not answer/);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  });
});
