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
import { readSchemaSnapshot } from '../packages/analyzer/src/catalog/index.js';
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

  it('a primary key dropped and an unnamed one added in the same statement: the new one has the old name', async () => {
    const db = await createScratchDatabase('completion');
    databases.push(db);
    await runStatements(db.client, 'CREATE TABLE k (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL);');
    const prior = await readSchemaSnapshot(db.client);
    const migration = 'ALTER TABLE k DROP CONSTRAINT k_pkey, ADD PRIMARY KEY (a, b);';
    await runStatements(db.client, migration);
    const target = await readSchemaSnapshot(db.client);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql(migration), { prior, target, state: 'applied' })]);
    expect(report.migrations[0]!.changes.map((change) => [change.kind, change.rollback[0]])).toEqual([
      ['drop_constraint', expect.stringContaining('ADD CONSTRAINT k_pkey PRIMARY KEY (id)')],
      ['add_constraint', 'ALTER TABLE public.k DROP CONSTRAINT k_pkey;'],
    ]);
    expect(report.rollback?.incomplete).toBe(false);
    await runStatements(db.client, report.rollback!.sql);
    const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
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

describe('an added enum value: the type recreated without it when the prior schema shows all that uses it', () => {
  const setup = "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCOMMENT ON TYPE mood IS 'how it went';\nCREATE TABLE diary (id int, feeling mood DEFAULT 'ok', history mood[]);";

  it('the rollback recreates the type and converts its columns (and their defaults): the schema is restored', async () => {
    const db = await createScratchDatabase('completion');
    databases.push(db);
    await runStatements(db.client, setup);
    const prior = await readSchemaSnapshot(db.client);
    await runStatements(db.client, "ALTER TYPE mood ADD VALUE 'happy';");
    const report = buildReport('plan', [analyzeMigration(migrationFromSql("ALTER TYPE mood ADD VALUE 'happy';"), { prior, state: 'applied' })]);
    const change = report.migrations[0]!.changes[0]!;
    // Risky still: the rows' conversion fails if one holds the value, and every table with such a column is rewritten.
    expect(change).toMatchObject({ verdict: 'risky', reason: expect.stringMatching(/recreates the type/) });
    expect(change.rollback).toHaveLength(1);
    expect(change.rollback[0]).toMatch(/^DO \$migcheck\$ BEGIN IF EXISTS \(SELECT FROM pg_catalog\.pg_enum .* THEN ALTER TYPE public\.mood RENAME TO mood_old; CREATE TYPE public\.mood AS ENUM \('sad', 'ok'\);/);
    expect(report.rollback?.incomplete).toBe(false);
    await runStatements(db.client, report.rollback!.sql);
    const restored = diffSnapshots(prior, await readSchemaSnapshot(db.client));
    expect(restored, formatDifferences(restored)).toEqual([]);
    // Again: the value is gone, so the block does nothing.
    await runStatements(db.client, report.rollback!.sql);
    expect(diffSnapshots(prior, await readSchemaSnapshot(db.client))).toEqual([]);
  });

  it('a row that holds the value: the rollback fails and changes nothing', async () => {
    const db = await createScratchDatabase('completion');
    databases.push(db);
    await runStatements(db.client, setup);
    await runStatements(db.client, "ALTER TYPE mood ADD VALUE 'happy';");
    await runStatements(db.client, "INSERT INTO diary VALUES (1, 'happy', NULL);");
    const before = await readSchemaSnapshot(db.client);
    const prior = { ...before, enums: { ...before.enums, 'public.mood': { ...before.enums['public.mood']!, labels: ['sad', 'ok'] } } };
    const change = analyzeMigration(migrationFromSql("ALTER TYPE mood ADD VALUE 'happy';"), { prior, state: 'pending' }).changes[0]!;
    await expect(runStatements(db.client, change.assessment.rollback[0]!.sql)).rejects.toThrow(/invalid input value for enum/);
    expect(diffSnapshots(before, await readSchemaSnapshot(db.client))).toEqual([]);
  });

  it('a view over the type: INCOMPLETE, honestly, with a recipe', async () => {
    const db = await createScratchDatabase('completion');
    databases.push(db);
    await runStatements(db.client, `${setup}\nCREATE VIEW sad_days AS SELECT id FROM diary WHERE feeling = 'sad'::mood;`);
    const prior = await readSchemaSnapshot(db.client);
    const report = buildReport('plan', [analyzeMigration(migrationFromSql("ALTER TYPE mood ADD VALUE 'happy';"), { prior, state: 'applied' })]);
    const change = report.migrations[0]!.changes[0]!;
    expect(change).toMatchObject({ verdict: 'risky', rollback: [] });
    expect(report.rollback?.incomplete).toBe(true);
    expect(change.notes!.some((note) => note.startsWith("To remove 'happy'"))).toBe(true);
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

describe('a statement whose object an earlier statement of its migration changed gets the schema just before it', () => {
  /** Lints `migration` after `setup` (a two-file history, shadow on the run's server), runs its rollback after both, diffs. */
  async function withinRoundTrip(setup: string, migration: string) {
    const folder = mkdtempSync(join(tmpdir(), 'migcheck-within-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-within-cache-'));
    try {
      writeFileSync(join(folder, '1_setup.sql'), setup);
      writeFileSync(join(folder, '2_migration.sql'), migration);
      // The migration named alone: its history is still the folder's.
      const lintIt = () => lint([join(folder, '2_migration.sql')], { shadow: { url: inject('postgresUrl'), cacheDir } });
      const report = await lintIt();
      const changes = report.migrations[0]!.changes;
      // A second run reads the schema within the migration from the cache: the same verdicts.
      expect((await lintIt()).migrations[0]!.changes).toEqual(changes);

      const db = await createScratchDatabase('within');
      databases.push(db);
      await runStatements(db.client, setup);
      const prior = await readSchemaSnapshot(db.client);
      await runStatements(db.client, migration);
      await runStatements(db.client, report.rollback!.sql);
      return { changes, restored: diffSnapshots(prior, await readSchemaSnapshot(db.client)), script: report.rollback! };
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }

  // Lemmy's 2019-12-29-164820_add_avatar: the column is renamed, then retyped. The migration's prior schema has no
  // column "avatar"; the schema within the migration, read in the shadow before the second statement, does.
  it('a rename then a type change: the type revert is written from the shadow, and the round trip restores the schema', async () => {
    const { changes, restored } = await withinRoundTrip(
      "CREATE TABLE user_ (id int PRIMARY KEY, icon varchar(255) DEFAULT 'x' CHECK (icon <> ''));\n",
      'ALTER TABLE user_ RENAME COLUMN icon TO avatar;\nALTER TABLE user_ ALTER COLUMN avatar TYPE text;\n',
    );
    expect(changes.map((change) => [change.kind, change.verdict, change.evidence])).toEqual([
      ['rename_column', 'safe', 'static'],
      ['alter_column_type', 'safe', 'catalog'],
    ]);
    expect(changes[1]!.rollback.join('\n')).toContain('ALTER COLUMN avatar TYPE character varying(255)');
    expect(restored, formatDifferences(restored)).toEqual([]);
  });

  // Lemmy's 2026-02-03-235249-0000_add_moderator_warn_constraint_check: the unnamed CHECK takes the dropped one's name.
  it('a constraint dropped, then an unnamed one added that Postgres gives the same name: both undone exactly', async () => {
    const { changes, restored, script } = await withinRoundTrip(
      "CREATE TABLE modlog (id int PRIMARY KEY, kind text, CHECK (kind <> ''));\n",
      "ALTER TABLE modlog DROP CONSTRAINT IF EXISTS modlog_kind_check;\nALTER TABLE modlog ADD CHECK (kind <> '' AND kind <> 'x');\n",
    );
    expect(changes.map((change) => [change.kind, change.verdict])).toEqual([
      ['drop_constraint', 'safe'],
      ['add_constraint', 'safe'],
    ]);
    expect(script.incomplete).toBe(false);
    expect(restored, formatDifferences(restored)).toEqual([]);
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
