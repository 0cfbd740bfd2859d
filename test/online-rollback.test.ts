/**
 * The online forms of rollback steps (plan/online/) on a real PostgreSQL (issue 12):
 *  - each statement takes the lock its comment claims, and no other: a session holds SHARE UPDATE EXCLUSIVE on
 *    the table (as a VACUUM or another index build would), the statement queues behind it, and pg_locks, read
 *    from a third session, shows the mode it waits for; a writer then tries an INSERT: it goes through exactly
 *    when the claim says "writes continue" (a queued ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE blocks it);
 *  - a rollback whose step rewrites a table is marked not zero-downtime in JSON, text and markdown.
 * The scripts' re-runs (twice, and after stopping at each statement) are proven in test/roundtrip.test.ts.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readSchemaSnapshot } from '../packages/analyzer/src/catalog/index.js';
import { step } from '../packages/analyzer/src/changes/rule.js';
import { analyzeMigration } from '../packages/analyzer/src/plan/analyze.js';
import { onlineSteps, type OnlineStep } from '../packages/analyzer/src/plan/online/index.js';
import { buildReport } from '../packages/analyzer/src/report/build.js';
import { formatMarkdown } from '../packages/analyzer/src/report/markdown.js';
import { formatText } from '../packages/analyzer/src/report/text.js';
import { migrationFromSql } from './helpers/analyze.js';
import { diffSnapshots, formatDifferences } from '../packages/analyzer/src/catalog/diff.js';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from './helpers/database.js';

const databases: ScratchDatabase[] = [];
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => {})));
  await Promise.all(databases.map((db) => db.drop()));
});

/** pg_locks.mode for each mode a lock comment names. */
const MODES: Record<string, string> = {
  'ACCESS SHARE': 'AccessShareLock',
  'ROW SHARE': 'RowShareLock',
  'ROW EXCLUSIVE': 'RowExclusiveLock',
  'SHARE UPDATE EXCLUSIVE': 'ShareUpdateExclusiveLock',
  SHARE: 'ShareLock',
  'SHARE ROW EXCLUSIVE': 'ShareRowExclusiveLock',
  EXCLUSIVE: 'ExclusiveLock',
  'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
};

/** The mode a statement claims on the table `t` (`SHARE UPDATE EXCLUSIVE on public.t…`, `… on the table of public.t_b_idx`). */
function claimedMode(online: OnlineStep): string {
  const mode = /^([A-Z ]+?) on (public\.t\b|the table of public\.t_)/.exec(online.lock)?.[1];
  if (!mode || !MODES[mode]) throw new Error(`no claim on public.t: ${online.lock}`);
  return MODES[mode]!;
}

async function connect(db: ScratchDatabase): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  clients.push(client);
  return client;
}

const SETUP = `
  CREATE TABLE public.u (id int PRIMARY KEY);
  CREATE TABLE public.t (id int PRIMARY KEY, a int, b int);
  INSERT INTO public.u SELECT g FROM generate_series(1, 10) g;
  INSERT INTO public.t SELECT g, g, NULL FROM generate_series(1, 1000) g;
  CREATE INDEX t_b_idx ON public.t (b);`;

interface Observed {
  statement: string;
  claimed: string;
  waitedFor: string[];
  writesContinue: boolean;
  claimsWritesContinue: boolean;
}

/** Runs the statement behind a SHARE UPDATE EXCLUSIVE holder and reads what it waits for, then whether a writer gets through. */
async function observe(db: ScratchDatabase, online: OnlineStep): Promise<Observed> {
  const [holder, runner, writer] = [await connect(db), await connect(db), await connect(db)];
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE public.t IN SHARE UPDATE EXCLUSIVE MODE');
  const pid = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  let settled = false;
  const running = runner.query(online.sql).finally(() => {
    settled = true;
  });
  let waitedFor: string[] = [];
  for (let attempt = 0; attempt < 100 && waitedFor.length === 0 && !settled; attempt++) {
    const { rows } = await db.client.query<{ mode: string }>("SELECT mode FROM pg_locks WHERE pid = $1 AND relation = 'public.t'::regclass AND NOT granted", [pid]);
    waitedFor = rows.map((row) => row.mode);
    if (waitedFor.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await writer.query("SET lock_timeout = '300ms'");
  const writesContinue = await writer.query('INSERT INTO public.t (id, a) SELECT n, n FROM (SELECT 100000 + (random() * 1e6)::int AS n) AS fresh').then(
    () => true,
    () => false,
  );
  await holder.query('COMMIT');
  await running;
  const claimed = online.conditional ? 'none' : claimedMode(online);
  return { statement: online.sql, claimed, waitedFor, writesContinue, claimsWritesContinue: online.conditional === true || online.effect.includes('writes continue') };
}

describe('each online form takes only the lock it claims (pg_locks, with a concurrent writer)', () => {
  it.each([
    ['create index', 'CREATE INDEX t_a_idx ON public.t (a);'],
    ['drop index', 'DROP INDEX public.t_b_idx;'],
    ['add check', 'ALTER TABLE public.t ADD CONSTRAINT t_a_check CHECK (a > 0);'],
    ['add foreign key', 'ALTER TABLE public.t ADD CONSTRAINT t_b_fk FOREIGN KEY (b) REFERENCES public.u (id);'],
    ['add unique', 'ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a);'],
    ['set not null', 'ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;'],
    ['drop column', 'ALTER TABLE public.t DROP COLUMN b;'],
    ['add column', 'ALTER TABLE public.t ADD COLUMN c int;'],
    ['type revert (no online form)', 'ALTER TABLE public.t ALTER COLUMN a TYPE bigint;'],
  ])('%s', async (_name, logical) => {
    const db = await createScratchDatabase('online_locks');
    databases.push(db);
    await runStatements(db.client, SETUP);
    const online = onlineSteps(step(logical));
    expect(online.some((statement) => statement.unrecognised)).toBe(false);
    for (const statement of online) {
      const observed = await observe(db, statement);
      // A statement for a state a normal run does not leave (an interrupted index build) takes no lock at all.
      expect(observed.waitedFor, observed.statement).toEqual(observed.claimed === 'none' ? [] : [observed.claimed]);
      expect(observed.writesContinue, `${observed.statement}: writes continue?`).toBe(observed.claimsWritesContinue);
    }
  });

  it('an index build that stopped half way is dropped and built again when the script runs again', async () => {
    const db = await createScratchDatabase('online_invalid');
    databases.push(db);
    db.client.on('notice', () => {});
    await runStatements(db.client, `${SETUP}\nUPDATE public.t SET a = 1 WHERE id = 2;`);
    const online = onlineSteps(step('ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a);'));
    // The first run stops in the concurrent build (a duplicate here; a lock_timeout in production): the index is left INVALID.
    await db.client.query(online[0]!.sql);
    await expect(db.client.query(online[1]!.sql)).rejects.toThrow(/could not create unique index/);
    const valid = async () => (await db.client.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.t_a_key'::regclass")).rows[0]?.valid;
    expect(await valid()).toBe(false);
    await db.client.query('UPDATE public.t SET a = 2 WHERE id = 2');
    for (const statement of online) await db.client.query(statement.sql);
    expect(await valid()).toBe(true);
    const { rows } = await db.client.query("SELECT contype FROM pg_constraint WHERE conname = 't_a_key'");
    expect(rows).toEqual([{ contype: 'u' }]);
  });

  it('says a statement it does not recognise takes a lock it does not know', () => {
    const [unknown] = onlineSteps(step('ALTER TABLE public.t CLUSTER ON t_pkey;'));
    expect(unknown).toMatchObject({ sql: 'ALTER TABLE public.t CLUSTER ON t_pkey;', unrecognised: true });
    expect(unknown!.lock).toMatch(/^unknown/);
  });
});

describe('a rollback that rewrites a table is not zero-downtime', () => {
  it('says so in the script, the JSON, the text and the markdown, with the alternative', async () => {
    const db = await createScratchDatabase('online_downtime');
    databases.push(db);
    await runStatements(db.client, 'CREATE TABLE public.users (id int PRIMARY KEY, age integer);');
    const prior = await readSchemaSnapshot(db.client);
    const widen = buildReport('plan', [analyzeMigration(migrationFromSql('ALTER TABLE public.users ALTER COLUMN age TYPE bigint;', '0001_widen.sql'), { prior })]);
    expect(widen.rollback).toMatchObject({ zeroDowntime: false, downtime: [expect.stringContaining('instead: keep the new type of public.users.age')] });
    expect(widen.rollback!.sql).toContain('-- NOT ZERO-DOWNTIME: some statements block writes');
    expect(widen.rollback!.sql).toContain('-- lock: ACCESS EXCLUSIVE on public.users; rewrites the table');
    expect(formatText(widen, { color: false, includeScript: false })).toContain('Not zero-downtime: ALTER TABLE public.users ALTER COLUMN age TYPE integer;');
    expect(formatMarkdown(widen)).toContain('**Not zero-downtime:** ALTER TABLE public.users ALTER COLUMN age TYPE integer;');

    const addColumn = buildReport('plan', [analyzeMigration(migrationFromSql('ALTER TABLE public.users ADD COLUMN nickname text;', '0002_add.sql'), { prior })]);
    expect(addColumn.rollback).toMatchObject({ zeroDowntime: true });
    expect(addColumn.rollback!.sql).not.toContain('NOT ZERO-DOWNTIME');
    expect(formatText(addColumn, { color: false, includeScript: false })).not.toContain('Not zero-downtime');
  });
});

// Guards find objects by their exact names in the catalog: to_regclass('…U&"…"…') returns NULL on Postgres 16+ (the
// guarded step was skipped without a word) and fails on 15.
describe.each(targetServers())('a rollback over names only U&"…" escapes can write, on $name', ({ url }) => {
  it('runs every guarded step: the type revert and the constraint re-added happen, twice over', async () => {
    const db = await createScratchDatabase('online-hostile', url);
    databases.push(db);
    const table = '"we""ird\nname"';
    await runStatements(db.client, `CREATE TABLE ${table} (id int PRIMARY KEY, n integer CONSTRAINT "n\tpositive" CHECK (n > 0));`);
    const prior = await readSchemaSnapshot(db.client);
    const migration = `ALTER TABLE ${table} DROP CONSTRAINT "n\tpositive";\nALTER TABLE ${table} ALTER COLUMN n TYPE bigint;`;
    await runStatements(db.client, migration);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql(migration), { prior, state: 'applied' })]);
    expect(report.rollback!.sql).toContain('U&"we""ird\\000Aname"');
    for (let run = 0; run < 2; run++) {
      await runStatements(db.client, report.rollback!.sql);
      const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
      expect(restored, formatDifferences(restored)).toEqual([]);
    }
  });
});

// Postgres builds and drops no index of a partitioned table CONCURRENTLY (hatchet's v1_0_25 adds one): the prior
// schema shows the table partitioned, and the script uses the plain forms, saying they block writes.
describe.each(targetServers())('indexes of a partitioned table, on $name', ({ url }) => {
  const setup = `CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE INDEX events_id_idx ON events (id);`;

  it.each([
    ['an index created', 'CREATE INDEX events_at_idx ON events (at);', 'DROP INDEX IF EXISTS public.events_at_idx;'],
    ['an index dropped', 'DROP INDEX events_id_idx;', 'CREATE INDEX IF NOT EXISTS events_id_idx ON public.events USING btree (id);'],
  ])('%s: undone without CONCURRENTLY, and the schema is restored', async (_name, migration, statement) => {
    const db = await createScratchDatabase('online-partitioned', url);
    databases.push(db);
    await runStatements(db.client, setup);
    const prior = await readSchemaSnapshot(db.client);
    await runStatements(db.client, migration);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql(migration), { prior, state: 'applied' })]);
    expect(report.rollback!.sql).not.toMatch(/^(CREATE|DROP) INDEX CONCURRENTLY/m);
    expect(report.rollback!.sql.split('\n')).toContain(statement);
    await runStatements(db.client, report.rollback!.sql);
    const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
    expect(restored, formatDifferences(restored)).toEqual([]);
  });
});
