/**
 * An incremental reading must equal a whole reading of the same state, whatever changed in between: every change
 * below is made after a first reading, then both are compared (JSON text: same records, same key order). The
 * changes are the ones whose effect reaches other objects' deparsed text (renames seen by views, foreign keys,
 * defaults, triggers, sequences, partitions), the ones that touch only a catalog side table (comments, ownership
 * by a column, grants), transactions rolled back, and the ones only a whole read can follow.
 */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { createScratchDatabase, runStatements, targetServers } from '../../../../../test/helpers/database.js';
import { diffSnapshots, formatDifferences } from '../diff.js';
import { IncrementalCatalogReader } from './incremental.js';
import { readSchemaSnapshot } from './index.js';

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TYPE address AS (street text, city text);
  CREATE DOMAIN quantity AS integer CONSTRAINT positive CHECK (VALUE > 0);
  CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
  CREATE FUNCTION double_it(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
  CREATE SEQUENCE invoice_no;
  CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    feeling mood DEFAULT 'ok',
    home address,
    invoice integer DEFAULT nextval('invoice_no'),
    at timestamptz
  );
  CREATE TABLE orders (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    amount quantity,
    doubled integer GENERATED ALWAYS AS (double_it(amount)) STORED,
    CONSTRAINT not_sad CHECK (amount IS NOT NULL)
  );
  CREATE INDEX orders_user_idx ON orders (user_id);
  CREATE TRIGGER users_stamp BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION stamp();
  CREATE VIEW user_emails AS SELECT id, email, feeling FROM users;
  CREATE VIEW happy_users AS SELECT id FROM user_emails WHERE feeling = 'happy';
  CREATE TABLE events (id integer, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE INDEX events_at_idx ON events (at);
  CREATE TABLE base_log (at timestamptz);
  CREATE TABLE audit_log (who text) INHERITS (base_log);
  CREATE MATERIALIZED VIEW order_count AS SELECT count(*) AS n FROM orders;
  ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own_orders ON orders USING (user_id > 0);
  CREATE RULE no_delete AS ON DELETE TO audit_log DO INSTEAD NOTHING;
  CREATE TABLE parents (id integer PRIMARY KEY);
  CREATE TABLE children (parent_id integer REFERENCES parents CHECK (parent_id > 0));
  CREATE INDEX children_parent_idx ON children (parent_id);
`;

/** Each change, and whether a scoped read can follow it (false: only a whole read can). */
const CHANGES: Array<[name: string, sql: string, scoped: boolean]> = [
  ['rename a table referenced by a foreign key, a view and a trigger', 'ALTER TABLE users RENAME TO people', true],
  ['rename a column a view and a foreign key read', 'ALTER TABLE users RENAME COLUMN id TO user_id', true],
  ['rename a column a view of a view reads', 'ALTER TABLE users RENAME COLUMN feeling TO mood_now', true],
  ['rename a type columns and views show', 'ALTER TYPE mood RENAME TO feeling', true],
  ['rename an enum label a default and a view show', `ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'`, true],
  ['add an enum label', `ALTER TYPE mood ADD VALUE 'ecstatic'`, true],
  ['rename a trigger function', 'ALTER FUNCTION stamp() RENAME TO touch', true],
  ['rename a function a generated column calls', 'ALTER FUNCTION double_it(integer) RENAME TO twice', true],
  ['rename a sequence a default calls', 'ALTER SEQUENCE invoice_no RENAME TO invoice_seq', true],
  ['own a sequence by a column (pg_depend only)', 'ALTER SEQUENCE invoice_no OWNED BY users.invoice', true],
  ['rename a column that owns a sequence', 'ALTER TABLE users RENAME COLUMN id TO uid', true],
  ['rename a partitioned table and its index', 'ALTER TABLE events RENAME TO happenings; ALTER INDEX events_at_idx RENAME TO happenings_at_idx', true],
  ['detach a partition', 'ALTER TABLE events DETACH PARTITION events_2024', true],
  ['rename an inheritance parent', 'ALTER TABLE base_log RENAME TO log_base', true],
  ['no inherit', 'ALTER TABLE audit_log NO INHERIT base_log', true],
  ['rename a constraint behind an index', 'ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_unique', true],
  ['rename a composite type attribute', 'ALTER TYPE address RENAME ATTRIBUTE city TO town', true],
  ['add a composite type attribute', 'ALTER TYPE address ADD ATTRIBUTE zip text', true],
  ['rename a domain constraint', 'ALTER DOMAIN quantity RENAME CONSTRAINT positive TO above_zero', true],
  ['comment on a column, a constraint, a trigger, a policy', `COMMENT ON COLUMN users.email IS 'login'; COMMENT ON CONSTRAINT not_sad ON orders IS 'x'; COMMENT ON TRIGGER users_stamp ON users IS 'y'; COMMENT ON POLICY own_orders ON orders IS 'z'`, true],
  ['grant on a table and a column', 'GRANT SELECT ON users TO PUBLIC; GRANT UPDATE (email) ON users TO PUBLIC', true],
  ['drop a column', 'ALTER TABLE users DROP COLUMN at CASCADE', true],
  ['drop a table with dependents', 'DROP TABLE users CASCADE', true],
  ['cluster on an index, replica identity', 'ALTER TABLE orders CLUSTER ON orders_user_idx; ALTER TABLE orders REPLICA IDENTITY FULL', true],
  ['disable a trigger', 'ALTER TABLE users DISABLE TRIGGER users_stamp', true],
  ['refresh a materialized view with no data', 'REFRESH MATERIALIZED VIEW order_count WITH NO DATA', true],
  ['alter column types under a foreign key, a check and an index (rebuilt)', 'ALTER TABLE parents ALTER COLUMN id TYPE bigint; ALTER TABLE children ALTER COLUMN parent_id TYPE bigint', true],
  ['replace a function body', `CREATE OR REPLACE FUNCTION double_it(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $1'`, true],
  ['move a table to another schema', 'CREATE SCHEMA archive; ALTER TABLE audit_log SET SCHEMA archive', false],
  ['rename a schema', 'ALTER SCHEMA public RENAME TO app', false],
  ['create an extension', 'CREATE EXTENSION citext', false],
];

describe.each(targetServers())('on $name', (server) => {
  test.each(CHANGES)('%s', async (_name, change, scoped) => {
    const db = await createScratchDatabase('incremental', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const reader = new IncrementalCatalogReader(db.client);
      await reader.read();
      await runStatements(db.client, change);
      const incremental = await reader.read();
      const whole = await readSchemaSnapshot(db.client);
      expect(formatDifferences(diffSnapshots(whole, incremental))).toBe('');
      expect(JSON.stringify(incremental)).toBe(JSON.stringify(whole));
      expect(reader.statistics).toMatchObject(scoped ? { wholeReads: 1, scopedReads: 1 } : { wholeReads: 2, scopedReads: 0 });
    } finally {
      await db.drop();
    }
  });

  test('a rolled-back change, a savepoint, and reads within a transaction', async () => {
    const db = await createScratchDatabase('incremental', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const reader = new IncrementalCatalogReader(db.client);
      const before = JSON.stringify(await reader.read());
      const same = async () => expect(JSON.stringify(await reader.read())).toBe(JSON.stringify(await readSchemaSnapshot(db.client)));
      await db.client.query('BEGIN');
      await db.client.query('ALTER TABLE users RENAME COLUMN email TO mail');
      await same();
      await db.client.query('SAVEPOINT s');
      await db.client.query('ALTER TABLE users RENAME COLUMN mail TO address');
      await db.client.query('ALTER TABLE users ADD COLUMN extra text');
      await same();
      await db.client.query('ROLLBACK TO SAVEPOINT s');
      await same();
      // The same table changed twice in one transaction: its rows keep one xmin, their ctid moves.
      await db.client.query('ALTER TABLE users ALTER COLUMN mail SET DEFAULT $$x$$');
      await same();
      await db.client.query('ROLLBACK');
      const after = JSON.stringify(await reader.read());
      expect(after).toBe(before);
      expect(reader.statistics.wholeReads).toBe(1);
      expect(reader.statistics.scopedReads).toBeGreaterThanOrEqual(5);
    } finally {
      await db.drop();
    }
  });

  test('remembered before a transaction that is rolled back: the reading of then, records shared, in-place flags followed', async () => {
    const db = await createScratchDatabase('incremental', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const reader = new IncrementalCatalogReader(db.client);
      const before = await reader.read();
      const restore = reader.remember();
      await db.client.query('BEGIN');
      // CREATE INDEX sets pg_class.relhasindex in place on some versions: the rollback does not bring it back.
      await runStatements(db.client, 'CREATE TABLE fresh (id int); CREATE INDEX base_log_at_idx ON base_log (at); ALTER TABLE users RENAME COLUMN email TO mail;');
      await reader.read();
      await db.client.query('ROLLBACK');
      restore();
      const after = await reader.read();
      expect(JSON.stringify(after)).toBe(JSON.stringify(await readSchemaSnapshot(db.client)));
      expect(JSON.stringify(after)).toBe(JSON.stringify(before));
      // Not read again: the records of before, the very objects.
      expect(after.tables['public.users']).toBe(before.tables['public.users']);
      expect(after.views['public.user_emails']).toBe(before.views['public.user_emails']);
    } finally {
      await db.drop();
    }
  });

  // A migration runs in the session the shadow then reads with: what it leaves there must not change the reading.
  test('temporary tables and types named like the catalog, and functions put before pg_catalog', async () => {
    const db = await createScratchDatabase('incremental', server.url);
    const fresh = new pg.Client({ connectionString: db.url });
    try {
      await runStatements(db.client, SCHEMA);
      const reader = new IncrementalCatalogReader(db.client);
      await reader.read();
      await runStatements(
        db.client,
        `CREATE TEMP TABLE pg_class (oid oid, relname name, relnamespace oid, relkind "char");
         CREATE TEMP TABLE pg_constraint (oid oid, conname name);
         CREATE TEMP TABLE pg_depend (classid oid, objid oid, deptype "char");
         CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS 'SELECT $1';
         CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
         CREATE TYPE pg_temp.text AS (fake integer);
         CREATE TYPE pg_temp.oid AS (fake integer);
         ALTER TABLE users RENAME COLUMN email TO mail;
         SET search_path = public, pg_catalog`,
      );
      await fresh.connect();
      const expected = await readSchemaSnapshot(fresh);
      expect(formatDifferences(diffSnapshots(expected, await reader.read()))).toBe('');
      expect(formatDifferences(diffSnapshots(expected, await readSchemaSnapshot(db.client)))).toBe('');
      expect((await db.client.query('SHOW search_path')).rows[0].search_path).toBe('public, pg_catalog');
    } finally {
      await fresh.end().catch(() => {});
      await db.drop();
    }
  });

  test('nothing changed: the last reading, without reading records again', async () => {
    const db = await createScratchDatabase('incremental', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const reader = new IncrementalCatalogReader(db.client);
      const first = await reader.read();
      await db.client.query('INSERT INTO users (email) VALUES ($1)', ['a@example.com']);
      expect(await reader.read()).toEqual(first);
      expect(reader.statistics).toEqual({ wholeReads: 1, scopedReads: 0, objectsReread: 0 });
    } finally {
      await db.drop();
    }
  });
});
