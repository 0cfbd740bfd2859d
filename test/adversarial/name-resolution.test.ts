/**
 * Class 2 of issue 10: names that do not mean what the recogniser thinks. search_path changes (SET, SET LOCAL,
 * RESET, RESET ALL, DISCARD ALL, set_config), temporary tables that shadow permanent ones, rename chains that
 * move a name from a created object to an existing one, and the elements of CREATE SCHEMA.
 */
import { afterAll, describe, it } from 'vitest';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const CASES: AdversarialCase[] = [
  {
    name: 'rename chain: the added column\'s name moves to an existing column (the issue)',
    setup: APP,
    migration: 'ALTER TABLE users ADD COLUMN tmp text;\nALTER TABLE users RENAME COLUMN tmp TO scratch;\nALTER TABLE users RENAME COLUMN email TO tmp;\nUPDATE users SET tmp = NULL;',
    expect: 'not-safe',
  },
  {
    name: 'rename chain of tables: a created table\'s name moves to an existing table',
    setup: APP,
    migration: 'CREATE TABLE staging (id int);\nALTER TABLE staging RENAME TO staging_old;\nALTER TABLE orders RENAME TO staging;\nDELETE FROM staging;',
    expect: 'not-safe',
  },
  {
    name: 'a created table moves to another schema, an existing table takes its name',
    setup: APP,
    migration: 'CREATE TABLE scratch (id int);\nALTER TABLE scratch SET SCHEMA app;\nALTER TABLE orders RENAME TO scratch;\nUPDATE scratch SET note = NULL;',
    expect: 'not-safe',
  },
  {
    name: 'rename chain: the prior type of a column whose table name now means another table',
    setup: `${APP}\nCREATE TABLE a (x bigint);\nCREATE TABLE b (x int);`,
    migration: 'ALTER TABLE a RENAME TO a_old;\nALTER TABLE b RENAME TO a;\nALTER TABLE a ALTER COLUMN x TYPE bigint;',
  },
  {
    name: 'SET LOCAL search_path ends with the transaction',
    setup: APP,
    migration: 'BEGIN;\nSET LOCAL search_path = app;\nCREATE TABLE users (id int, email text);\nCOMMIT;\nUPDATE users SET email = NULL;',
    expect: 'not-safe',
  },
  {
    name: 'SET LOCAL search_path outside a transaction block does nothing',
    setup: APP,
    migration: 'SET LOCAL search_path = app;\nCREATE TABLE audit_log (id int);',
  },
  {
    name: 'DISCARD ALL resets the search_path',
    setup: APP,
    migration: 'SET search_path = app;\nCREATE TABLE users (id int, email text);\nDISCARD ALL;\nUPDATE users SET email = NULL;',
    expect: 'not-safe',
  },
  {
    name: 'RESET ALL resets the search_path',
    setup: APP,
    migration: 'SET SESSION search_path = app;\nCREATE TABLE orders (id int);\nRESET ALL;\nTRUNCATE orders CASCADE;',
    expect: 'not-safe',
  },
  {
    name: 'set_config changes the search_path',
    setup: APP,
    migration: "SELECT set_config('search_path', 'app', false);\nCREATE TABLE users (id int, email text);\nSELECT set_config('search_path', 'public', false);\nUPDATE users SET email = NULL;",
    expect: 'not-safe',
  },
  {
    name: 'a search_path of several schemas: the name resolves to the first schema that has it',
    setup: APP,
    migration: 'SET search_path = app, public;\nALTER TABLE users ADD COLUMN nickname text;',
  },
  {
    name: 'a temporary table shadows the permanent one, then is renamed away',
    setup: APP,
    migration: 'CREATE TEMP TABLE users (id int, email text);\nALTER TABLE pg_temp.users RENAME TO scratch;\nUPDATE users SET email = NULL;',
    expect: 'not-safe',
  },
  {
    name: 'a temporary table shadows the permanent one: the DELETE empties the temporary table',
    setup: APP,
    migration: 'CREATE TEMP TABLE orders (id int);\nINSERT INTO orders VALUES (1);\nDELETE FROM orders;',
    expect: 'safe-with-prior',
  },
  {
    name: 'CREATE SCHEMA … GRANT on an existing table',
    setup: APP,
    migration: 'CREATE SCHEMA reporting GRANT SELECT ON public.users TO PUBLIC;',
    reports: [{ kind: 'alter_object', object: 'public.users' }],
  },
  {
    name: 'CREATE SCHEMA with elements: each is a change of its own, in the new schema',
    setup: APP,
    migration: 'CREATE SCHEMA billing CREATE TABLE invoices (id int PRIMARY KEY) CREATE INDEX invoices_id ON invoices (id) CREATE VIEW open_invoices AS SELECT * FROM invoices CREATE SEQUENCE invoice_numbers;',
    expect: 'safe-with-prior',
    reports: [{ kind: 'add_table', object: 'billing.invoices' }, { kind: 'create_object', object: 'billing.open_invoices' }],
  },
];

describe('class 2: names resolved the way Postgres resolves them', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });
});
