/**
 * One pass per command (issue 8): `lint`, `plan` (with and without a target database) and `verify` parse and
 * recognise each migration once, and the guard that withholds the migration's prior schema from a statement
 * once an earlier statement touched the same object holds on every path, the data checks' included.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { lint, plan, verify } from '../packages/analyzer/src/commands.js';
import type { ChangeReport, Report } from '../packages/analyzer/src/report/schema.js';
import { watchParses } from '../packages/analyzer/src/source/parse.js';
import { createScratchDatabase, runStatements, type ScratchDatabase } from './helpers/database.js';

const root = resolve(import.meta.dirname, '..');
const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

function shadow() {
  return { url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-cache-')) };
}

/** How many times the command parsed each file of `directory` (by the path the analysis shows). */
async function parsesDuring(directory: string, command: () => Promise<Report>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const stop = watchParses((path) => {
    if (path.startsWith(directory)) counts.set(path, (counts.get(path) ?? 0) + 1);
  });
  try {
    await command();
  } finally {
    stop();
  }
  return counts;
}

describe('each command parses each migration once', () => {
  // A copy, so that absolute paths name the files and every run starts from a cold cache of its own.
  const directory = mkdtempSync(join(tmpdir(), 'migcheck-shop-'));
  cpSync(join(root, 'fixtures/shop/migrations'), directory, { recursive: true });
  const ups = ['000001_create_users', '000002_add_email', '000003_create_orders', '000004_widen_age', '000005_drop_phone'].map((id) => join(directory, `${id}.up.sql`));

  function expectOnce(counts: Map<string, number>): void {
    // (A down file is read only by verify, which rehearses the project's own rollback and analyses what it destroys.)
    expect(Object.fromEntries(ups.map((path) => [path, counts.get(path) ?? 0]))).toEqual(Object.fromEntries(ups.map((path) => [path, 1])));
  }

  it('lint without the shadow', async () => {
    expectOnce(await parsesDuring(directory, () => lint([directory], { shadow: false })));
  });

  it('lint with the shadow replaying the history (cold cache)', async () => {
    expectOnce(await parsesDuring(directory, () => lint([directory], { shadow: shadow() })));
  });

  it('plan without a database', async () => {
    expectOnce(await parsesDuring(directory, () => plan([directory], { shadow: shadow() })));
  });

  it('plan with a database (state decided from the catalog) and the shadow', async () => {
    const db = await createScratchDatabase('pipeline_target');
    databases.push(db);
    await runStatements(db.client, 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age integer, phone text);');
    expectOnce(await parsesDuring(directory, () => plan([directory], { database: { url: db.url }, shadow: shadow() })));
  });

  it('verify', async () => {
    expectOnce(await parsesDuring(directory, () => verify([directory], { shadow: shadow() })));
  });
});

describe('once an earlier statement changed the object, the prior schema is withheld or replaced by the schema within the migration, on every path', () => {
  const history = 'CREATE TABLE t (id integer PRIMARY KEY, v integer);';
  const doubleChange = 'ALTER TABLE t ALTER COLUMN v TYPE bigint;\nALTER TABLE t ALTER COLUMN v TYPE text;\n';

  function project(): string {
    const directory = mkdtempSync(join(tmpdir(), 'migcheck-double-'));
    writeFileSync(join(directory, '0001_create_t.up.sql'), history);
    writeFileSync(join(directory, '0002_change_v_twice.up.sql'), doubleChange);
    return directory;
  }

  /** The second type change: assessed against bigint (what the first statement left) or an unknown type, never integer. */
  function secondChange(report: Report): ChangeReport {
    const migration = report.migrations.find((item) => item.path.endsWith('0002_change_v_twice.up.sql'))!;
    const change = migration.changes.find((item) => item.line === 2)!;
    expect(change.rule).toBe('alter-column-type');
    return change;
  }

  function expectNotAgainstInteger(change: ChangeReport): void {
    const said = [change.reason, ...change.rollback].join('\n');
    expect(said, said).not.toMatch(/\binteger\b|\bint4\b/);
    // Safe only when read against what the first statement left (the shadow's schema within the migration).
    if (change.verdict === 'safe') expect(change.rollback.join('\n')).toMatch(/TYPE bigint/);
  }

  async function target(applied: string[]): Promise<ScratchDatabase> {
    const db = await createScratchDatabase('pipeline_double');
    databases.push(db);
    for (const sql of applied) await runStatements(db.client, sql);
    const version = applied.length;
    await runStatements(db.client, `CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (${version}, false);`);
    // Rows whose values fit every type involved: the data check then has something to say.
    await runStatements(db.client, `INSERT INTO t VALUES (1, 1), (2, 2);`);
    return db;
  }

  it('lint with the shadow', async () => {
    const change = secondChange(await lint([project()], { shadow: shadow() }));
    expectNotAgainstInteger(change);
    // The shadow read the schema just before the second statement: bigint → text widens, and reverts to bigint.
    expect(change).toMatchObject({ verdict: 'safe', evidence: 'catalog' });
  });

  it('plan without a database', async () => {
    expectNotAgainstInteger(secondChange(await plan([project()], { shadow: shadow() })));
  });

  it('plan with a database, the migration pending (the target is its prior schema)', async () => {
    const db = await target([history]);
    expectNotAgainstInteger(secondChange(await plan([project()], { database: { url: db.url, state: 'pending' }, shadow: shadow() })));
  });

  it('plan with a database, the migration applied (the prior schema from the shadow)', async () => {
    const db = await target([history, doubleChange]);
    expectNotAgainstInteger(secondChange(await plan([project()], { database: { url: db.url, state: 'applied' }, shadow: shadow() })));
  });

  it('plan with a database, the state decided by the tracking table', async () => {
    const db = await target([history, doubleChange]);
    expectNotAgainstInteger(secondChange(await plan([project()], { database: { url: db.url }, shadow: shadow() })));
  });

  it('verify', async () => {
    expectNotAgainstInteger(secondChange(await verify([project()], { shadow: shadow() })));
  });
});

describe('lint reads the prior schema for every rule that reads it (Rule.readsPrior)', () => {
  it.each([
    ['set-not-null', 'ALTER TABLE t ALTER COLUMN v SET NOT NULL;'],
    ['drop-not-null', 'ALTER TABLE t ALTER COLUMN id DROP NOT NULL;'],
  ])('%s: the verdict rests on the replayed history', async (rule, sql) => {
    const directory = mkdtempSync(join(tmpdir(), 'migcheck-reads-prior-'));
    writeFileSync(join(directory, '0001_create_t.up.sql'), 'CREATE TABLE t (id integer NOT NULL, v integer);');
    writeFileSync(join(directory, '0002_change.up.sql'), sql);
    const report = await lint([directory], { shadow: shadow() });
    const change = report.migrations[1]!.changes[0]!;
    expect(change.rule).toBe(rule);
    expect(change.evidence).toBe('catalog');
  });
});
