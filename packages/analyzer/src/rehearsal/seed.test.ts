/**
 * The rehearsal's seeded rows reach tables whatever their names: the columns are looked up by the exact names, not
 * through to_regclass, which cannot read the U&"…" form a name with control characters is written in. On every
 * test server (Postgres 16+ answered NULL, and nothing was seeded; 15 failed). All rows go in one round trip (a DO
 * block); a database without PL/pgSQL gets the same rows one at a time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { seedRows } from './seed.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.each(targetServers())('seedRows on $name', ({ url }) => {
  it('seeds a table whose name holds a newline and a quote', async () => {
    const db = await createScratchDatabase('seed', url);
    databases.push(db);
    await runStatements(db.client, 'CREATE TABLE "we""ird\nname" (id serial PRIMARY KEY, n integer);');
    const result = await seedRows(db.client, [{ table: { schema: 'public', name: 'we"ird\nname' }, touched: ['n'] }]);
    expect(result.seeded).toHaveLength(1);
    const { rows } = await db.client.query<{ count: string }>('SELECT count(*) FROM "we""ird\nname"');
    expect(Number(rows[0]!.count)).toBeGreaterThan(0);
  });

  // A unique key rejects the duplicate row, a check rejects every row of its table, a foreign key with no referenced
  // row rejects its table's rows, a name holds the dollar tag and a backslash: each row decided on its own, in order.
  const MIXED_SCHEMA = `
    CREATE TABLE coded (id serial PRIMARY KEY, code text UNIQUE);
    CREATE TABLE negative (id serial PRIMARY KEY, n integer CHECK (n < 0));
    CREATE TABLE parent (id serial PRIMARY KEY);
    CREATE TABLE child (id serial PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent);
    CREATE TABLE "x$migcheck$y\\" (id serial PRIMARY KEY, note text);`;
  const mixedTargets = [
    { table: { schema: 'public', name: 'coded' }, touched: ['code'] },
    { table: { schema: 'public', name: 'negative' }, touched: ['n'] },
    { table: { schema: 'public', name: 'child' }, touched: [] },
    { table: { schema: 'public', name: 'x$migcheck$y\\' }, touched: ['note'] },
  ];
  const expectedMixed = {
    seeded: ['public.coded: 2 rows', 'public.negative: 1 rows', 'public."x$migcheck$y\\": 3 rows'],
    rejected: [
      'public.coded: duplicate key value violates unique constraint "coded_code_key"',
      'public.negative: new row for relation "negative" violates check constraint "negative_n_check"',
      'public.negative: new row for relation "negative" violates check constraint "negative_n_check"',
      'public.child: null value in column "parent_id" of relation "child" violates not-null constraint',
      'public.child: null value in column "parent_id" of relation "child" violates not-null constraint',
      'public.child: null value in column "parent_id" of relation "child" violates not-null constraint',
    ],
  };

  it('decides each row on its own, in one round trip', async () => {
    const db = await createScratchDatabase('seed', url);
    databases.push(db);
    await runStatements(db.client, MIXED_SCHEMA);
    const result = await seedRows(db.client, mixedTargets);
    expect(result).toEqual(expectedMixed);
    const { rows } = await db.client.query<{ count: string }>('SELECT (SELECT count(*) FROM coded) + (SELECT count(*) FROM "x$migcheck$y\\") AS count');
    expect(Number(rows[0]!.count)).toBe(5);
  });

  it('seeds the same rows one at a time where PL/pgSQL is gone', async () => {
    const db = await createScratchDatabase('seed', url);
    databases.push(db);
    await runStatements(db.client, `DROP EXTENSION plpgsql; ${MIXED_SCHEMA}`);
    expect(await seedRows(db.client, mixedTargets)).toEqual(expectedMixed);
  });

  // The rows are inserted under the migration's search_path (its triggers may need it), and the column lookup runs in
  // its session: a path that puts a migration's own `=`, `repeat`, `format_type` or type `text` before pg_catalog's
  // must neither hide the columns nor weaken the stress values (a value that no longer stresses is a false "safe").
  it("seeds the same stress values under a search_path that puts a migration's objects before pg_catalog's", async () => {
    const db = await createScratchDatabase('seed', url);
    databases.push(db);
    await runStatements(
      db.client,
      `CREATE TYPE mood AS ENUM ('calm', 'tense');
       CREATE TABLE noted (id serial PRIMARY KEY, note text, label varchar(12), feeling mood, tags text[]);
       CREATE SCHEMA evil;
       CREATE FUNCTION evil.never(name, text) RETURNS boolean LANGUAGE sql AS 'SELECT false';
       CREATE OPERATOR evil.= (LEFTARG = name, RIGHTARG = text, FUNCTION = evil.never);
       CREATE FUNCTION evil.repeat(text, integer) RETURNS text LANGUAGE sql AS 'SELECT ''x''';
       CREATE FUNCTION evil.format_type(oid, integer) RETURNS text LANGUAGE sql AS 'SELECT ''integer''';
       CREATE FUNCTION evil.array_append(anyarray, anyelement) RETURNS anyarray LANGUAGE sql AS 'SELECT $1';
       CREATE TYPE evil.text AS (x integer);
       SET search_path = evil, pg_catalog, public;`,
    );
    const result = await seedRows(db.client, [{ table: { schema: 'public', name: 'noted' }, touched: ['note', 'label', 'feeling', 'tags'] }]);
    expect(result).toEqual({ seeded: ['public.noted: 3 rows'], rejected: [] });
    const { rows } = await db.client.query<{ note: number | null; label: number | null; feeling: string | null }>(
      'SELECT pg_catalog.length(note) AS note, pg_catalog.length(label) AS label, feeling::pg_catalog.text AS feeling FROM public.noted ORDER BY id',
    );
    expect(rows).toEqual([
      { note: 1000, label: 12, feeling: 'tense' },
      { note: 1000, label: 12, feeling: 'tense' },
      { note: null, label: null, feeling: null },
    ]);
  });
});
