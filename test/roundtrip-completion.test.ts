/**
 * Rollbacks completed from what Postgres knows (issue 9), proven on a real PostgreSQL: the names Postgres chose
 * for unnamed indexes and constraints, read from the database once the migration is applied; and the objects a
 * type change rebuilt implicitly (expression and partial indexes, check constraints, the default), restored to
 * their prior definitions. Each case: snapshot, apply the migration, plan its rollback, run it, compare.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { lint } from '../packages/analyzer/src/commands.js';
import { diffSnapshots, formatDifferences } from '../packages/analyzer/src/catalog/diff.js';
import { readSchemaSnapshot } from '../packages/analyzer/src/catalog/snapshot.js';
import { analyzeMigration } from '../packages/analyzer/src/plan/analyze.js';
import { buildReport } from '../packages/analyzer/src/report/build.js';
import { migrationFromSql } from './helpers/analyze.js';
import { createScratchDatabase, runStatements, type ScratchDatabase } from './helpers/database.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

/** Applies `migration` after `setup`, plans its rollback (applied: the target is the database), runs it, and diffs. */
async function roundTrip(setup: string, migration: string, state: 'applied' | 'pending') {
  const db = await createScratchDatabase('completion');
  databases.push(db);
  await runStatements(db.client, setup);
  const prior = await readSchemaSnapshot(db.client);
  const analysisBefore = state === 'pending' ? analyzeMigration(migrationFromSql(migration), { prior, state }) : undefined;
  await runStatements(db.client, migration);
  const target = await readSchemaSnapshot(db.client);
  const analyzed = analysisBefore ?? analyzeMigration(migrationFromSql(migration), { prior, target, state });
  const report = buildReport('plan', [analyzed]);
  expect(diffSnapshots(prior, target).length, 'the migration must change the schema').toBeGreaterThan(0);
  const changes = report.migrations[0]!.changes;
  expect(report.verdict, JSON.stringify(changes, null, 1)).toBe('safe');
  expect(report.rollback?.incomplete).toBe(false);
  await runStatements(db.client, report.rollback!.sql);
  const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
  return { restored, changes };
}

describe('names Postgres chose, read from the database the migration is applied to', () => {
  const setup = 'CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (id int PRIMARY KEY, a text, b text, c int);';

  it('CREATE INDEX without a name', async () => {
    const { restored, changes } = await roundTrip(setup, 'CREATE INDEX ON t (a, b);\nCREATE UNIQUE INDEX ON t (lower(a)) WHERE c > 0;', 'applied');
    expect(changes.map((change) => change.rollback)).toEqual([['DROP INDEX public.t_a_b_idx;'], ['DROP INDEX public.t_lower_idx;']]);
    expect(restored, formatDifferences(restored)).toEqual([]);
  });

  it('ADD CHECK / UNIQUE / FOREIGN KEY without a name', async () => {
    const { restored, changes } = await roundTrip(setup, "ALTER TABLE t ADD CHECK (a <> ''), ADD UNIQUE (b), ADD FOREIGN KEY (c) REFERENCES u (id);", 'applied');
    expect(changes.map((change) => change.rollback[0])).toEqual([
      'ALTER TABLE public.t DROP CONSTRAINT t_a_check;',
      'ALTER TABLE public.t DROP CONSTRAINT t_b_key;',
      'ALTER TABLE public.t DROP CONSTRAINT t_c_fkey;',
    ]);
    expect(restored, formatDifferences(restored)).toEqual([]);
  });

  it('two unnamed indexes on the same columns cannot be told apart: the rollback stays incomplete', () => {
    const analyzed = analyzeMigration(migrationFromSql('CREATE INDEX ON t (a);'), {
      state: 'applied',
      prior: { indexes: {}, constraints: {} } as never,
      target: {
        indexes: {
          'public.t_a_idx': { schema: 'public', name: 't_a_idx', table: 'public.t', definition: 'CREATE INDEX t_a_idx ON public.t USING btree (a)', constraint: null },
          'public.t_a_idx1': { schema: 'public', name: 't_a_idx1', table: 'public.t', definition: 'CREATE INDEX t_a_idx1 ON public.t USING btree (a)', constraint: null },
        },
      } as never,
    });
    expect(analyzed.changes[0]!.assessment).toMatchObject({ verdict: 'risky', rollback: [] });
  });
});

describe('objects a type change rebuilt implicitly are restored to their prior definitions', () => {
  const setup = `
    CREATE FUNCTION fold(value varchar) RETURNS varchar LANGUAGE sql IMMUTABLE AS $$ SELECT lower(value) $$;
    CREATE TABLE people (id int PRIMARY KEY, name varchar(255) DEFAULT 'nobody', active boolean);
    CREATE INDEX people_normalized ON people (fold(name));
    CREATE INDEX people_active_names ON people (id) WHERE fold(name) <> '';
    CREATE INDEX people_name ON people (name);
    ALTER TABLE people ADD CONSTRAINT people_name_short CHECK (char_length(fold(name)) < 200);
    COMMENT ON INDEX people_normalized IS 'lookups';
  `;

  it.each(['pending', 'applied'] as const)('varchar(255) → text and back (%s)', async (state) => {
    const { restored, changes } = await roundTrip(setup, 'ALTER TABLE people ALTER COLUMN name TYPE text;', state);
    expect(changes[0]!.rollback.join('\n')).toMatch(/CREATE INDEX people_normalized .*public\.fold\(name\)/);
    expect(restored, formatDifferences(restored)).toEqual([]);
  });
});

describe('CREATE OR REPLACE of a routine over a type the statement names unqualified', () => {
  it('finds the previous definition (the catalog shows the type schema-qualified) and restores it', async () => {
    const setup = 'CREATE TABLE "RateLimit" (value int);\nCREATE FUNCTION refill(rate_limit "RateLimit") RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;';
    const { restored, changes } = await roundTrip(setup, 'CREATE OR REPLACE FUNCTION refill(rate_limit "RateLimit") RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;', 'pending');
    expect(changes[0]!.rollback.join('\n')).toMatch(/SELECT 1/);
    expect(restored, formatDifferences(restored)).toEqual([]);
  });
});

describe('an added enum value: INCOMPLETE, honestly, with a recipe that works', () => {
  it('says why and gives the statements that recreate the type without the value', async () => {
    const db = await createScratchDatabase('completion');
    databases.push(db);
    await runStatements(db.client, "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE diary (id int, feeling mood DEFAULT 'ok', history mood[]);");
    const prior = await readSchemaSnapshot(db.client);
    await runStatements(db.client, "ALTER TYPE mood ADD VALUE 'happy';");
    const report = buildReport('plan', [analyzeMigration(migrationFromSql("ALTER TYPE mood ADD VALUE 'happy';"), { prior, state: 'applied' })]);
    const change = report.migrations[0]!.changes[0]!;
    expect(change).toMatchObject({ verdict: 'risky', rollback: [] });
    expect(report.rollback?.incomplete).toBe(true);
    const recipe = change.notes!.find((note) => note.startsWith("To remove 'happy'"))!;
    await runStatements(db.client, recipe.slice(recipe.indexOf('): ') + 3));
    const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
    expect(restored, formatDifferences(restored)).toEqual([]);
  });
});

describe('lint reads the names Postgres chose from a shadow copy the migration was applied to', () => {
  it('CREATE INDEX / ADD UNIQUE without a name, in a migration with history', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'migcheck-unnamed-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-unnamed-cache-'));
    try {
      writeFileSync(join(folder, '1_create.sql'), 'CREATE TABLE t (id int PRIMARY KEY, a text, b text);\nCREATE INDEX t_a_b_idx ON t (a);\n');
      writeFileSync(join(folder, '2_index.sql'), 'CREATE INDEX ON t (a, b);\nALTER TABLE t ADD UNIQUE (b);\n');
      // The last migration's names come from applying it in a copy; a middle one's from the next one's prior schema.
      writeFileSync(join(folder, '3_more.sql'), 'CREATE INDEX ON t (b, a);\n');
      const report = await lint([folder], { shadow: { url: inject('postgresUrl'), cacheDir } });
      const changesOf = (file: string) => report.migrations.find((migration) => migration.path.endsWith(file))!.changes;
      // t_a_b_idx was taken: Postgres chose t_a_b_idx1, which only the catalog shows.
      expect(changesOf('2_index.sql').map((change) => [change.verdict, change.rollback[0]])).toEqual([
        ['safe', 'DROP INDEX public.t_a_b_idx1;'],
        ['safe', 'ALTER TABLE public.t DROP CONSTRAINT t_b_key;'],
      ]);
      expect(changesOf('3_more.sql').map((change) => [change.verdict, change.rollback[0]])).toEqual([['safe', 'DROP INDEX public.t_b_a_idx;']]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('DROP VIEW … CASCADE: the views it took along', () => {
  const setup = `CREATE VIEW customer_names AS SELECT 1 AS id, 'a'::text AS name;
CREATE VIEW customer_names_upper AS SELECT id, upper(name) AS name FROM customer_names;
CREATE MATERIALIZED VIEW customer_names_mview AS SELECT * FROM customer_names_upper;
CREATE UNIQUE INDEX customer_names_mview_id ON customer_names_mview (id);
COMMENT ON MATERIALIZED VIEW customer_names_mview IS 'cached';`;
  // Lemmy's create_private_message: the view is replaced through DROP … CASCADE, and what was built on it anew.
  const migration = `DROP VIEW customer_names CASCADE;
CREATE VIEW customer_names AS SELECT 1 AS id, 'a'::text AS name, true AS active;
CREATE MATERIALIZED VIEW customer_names_mview AS SELECT * FROM customer_names;`;

  it('are recreated from the prior schema, each after what it reads, with indexes and comments: the schema is restored', async () => {
    const db = await createScratchDatabase('cascade');
    databases.push(db);
    await runStatements(db.client, setup);
    const prior = await readSchemaSnapshot(db.client);
    await runStatements(db.client, migration);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql(migration), { prior, target: await readSchemaSnapshot(db.client), state: 'applied' })]);
    const drop = report.migrations[0]!.changes[0]!;
    expect(drop.verdict).toBe('risky'); // other dependents (a function on its row type) would not be recreated
    expect(drop.reason).toContain('with the 2 views CASCADE dropped along (public.customer_names_upper, public.customer_names_mview)');
    expect(report.rollback?.incomplete).toBe(false);
    await runStatements(db.client, report.rollback!.sql);
    const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
    expect(restored, formatDifferences(restored)).toEqual([]);
  });

  it('another CASCADE (a function, whose dependents are not rebuilt) is recreated but makes the script say INCOMPLETE', async () => {
    const db = await createScratchDatabase('cascade_function');
    databases.push(db);
    await runStatements(db.client, 'CREATE FUNCTION one() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;\nCREATE TABLE t (a int DEFAULT one());');
    const prior = await readSchemaSnapshot(db.client);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql('DROP FUNCTION one() CASCADE;'), { prior })]);
    expect(report.migrations[0]!.changes[0]!.rollback[0]).toMatch(/^CREATE OR REPLACE FUNCTION public\.one\(\)/);
    expect(report.rollback?.incomplete).toBe(true);
    expect(report.rollback?.sql).toContain('CASCADE also dropped the objects that depend on public.one');
  });
});
