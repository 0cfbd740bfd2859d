import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { diffSnapshots, formatDifferences, type DiffOptions, type SchemaDifference } from './diff.js';
import { readSchemaSnapshot } from './read/index.js';
import type { SchemaSnapshot } from './snapshot.js';

/**
 * Creating a database costs a few hundred milliseconds on PostgreSQL 18, so cases borrow one from a pool and
 * give it back reset: extensions and schemas dropped, `public` recreated. A database is only reused when its
 * snapshot is then exactly a fresh database's, so no case can see another's objects.
 */
const idleDatabases: ScratchDatabase[] = [];
let freshSnapshot: SchemaSnapshot | undefined;

async function borrowDatabase(): Promise<ScratchDatabase> {
  const reused = idleDatabases.pop();
  if (reused) return reused;
  const db = await createScratchDatabase('diff');
  freshSnapshot ??= await readSchemaSnapshot(db.client);
  return db;
}

async function giveBack(db: ScratchDatabase): Promise<void> {
  try {
    const fresh = freshSnapshot?.schemas.public;
    if (!fresh?.owner) throw new Error('no fresh snapshot to reset to');
    // public as a fresh database has it: its owner (pg_database_owner from PostgreSQL 15) and PUBLIC's rights.
    const publicRights = (fresh.privileges.find((item) => item.startsWith('=')) ?? '=/').slice(1).split('/')[0] ?? '';
    const rightNames = [...publicRights].map((letter) => ({ U: 'USAGE', C: 'CREATE' })[letter] ?? '').filter(Boolean);
    await db.client.query(`
      DO $$
      DECLARE item record;
      BEGIN
        FOR item IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
          EXECUTE format('DROP EXTENSION %I CASCADE', item.extname);
        END LOOP;
        FOR item IN SELECT nspname FROM pg_namespace
                    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%' LOOP
          EXECUTE format('DROP SCHEMA %I CASCADE', item.nspname);
        END LOOP;
      END $$;
      CREATE SCHEMA public AUTHORIZATION "${fresh.owner.replace(/"/g, '""')}";
      COMMENT ON SCHEMA public IS 'standard public schema';
      ${rightNames.length > 0 ? `GRANT ${rightNames.join(', ')} ON SCHEMA public TO PUBLIC;` : ''}`);
    if (freshSnapshot && isDeepStrictEqual(await readSchemaSnapshot(db.client), freshSnapshot)) {
      idleDatabases.push(db);
      return;
    }
  } catch {
    // Not reusable: dropped below.
  }
  await db.drop();
}

afterAll(async () => {
  await Promise.all(idleDatabases.splice(0).map((db) => db.drop()));
});

let serverVersionNum: Promise<number> | undefined;

/** `server_version_num` of the run's server, for cases whose DDL older versions do not have. */
function serverVersion(): Promise<number> {
  serverVersionNum ??= (async () => {
    const db = await borrowDatabase();
    try {
      const { rows } = await db.client.query<{ version: number }>(
        `SELECT current_setting('server_version_num')::int AS version`,
      );
      return rows[0]?.version ?? 0;
    } finally {
      await giveBack(db);
    }
  })();
  return serverVersionNum;
}

/**
 * In a fresh database: run `setup`, snapshot, run each `change` statement, snapshot again, and return the
 * differences. Statements run one by one so that those that refuse a transaction block (CONCURRENTLY) work.
 */
async function differencesAfter(
  setup: string,
  change: string | string[],
  options: DiffOptions = {},
): Promise<SchemaDifference[]> {
  const db = await borrowDatabase();
  try {
    if (setup) await db.client.query(setup);
    const before = await readSchemaSnapshot(db.client);
    // Every case also checks that reading an unchanged schema twice gives the same snapshot.
    expect(await readSchemaSnapshot(db.client)).toEqual(before);
    for (const statement of [change].flat()) await db.client.query(statement);
    const after = await readSchemaSnapshot(db.client);
    return diffSnapshots(before, after, options);
  } finally {
    await giveBack(db);
  }
}

function changed(objectType: string, object: string, property: string, before?: string, after?: string): SchemaDifference {
  return {
    objectType,
    object,
    change: 'changed',
    property,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  };
}

function added(objectType: string, object: string, after?: string): SchemaDifference {
  return { objectType, object, change: 'added', ...(after !== undefined ? { after } : {}) };
}

function removed(objectType: string, object: string, before?: string): SchemaDifference {
  return { objectType, object, change: 'removed', ...(before !== undefined ? { before } : {}) };
}

const USERS = `CREATE TABLE users (id integer PRIMARY KEY, email text, age integer);`;

describe.concurrent('diffSnapshots against real DDL', () => {
  describe('schemas', () => {
    test('create schema', async () => {
      expect(await differencesAfter('', 'CREATE SCHEMA app')).toEqual([added('schema', 'app')]);
    });
    test('drop schema: its objects are folded into it', async () => {
      const setup = `CREATE SCHEMA app; CREATE TABLE app.t (id serial PRIMARY KEY); CREATE TYPE app.e AS ENUM ('a');
        CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';`;
      expect(await differencesAfter(setup, 'DROP SCHEMA app CASCADE')).toEqual([removed('schema', 'app')]);
    });
    test('comment on schema', async () => {
      expect(await differencesAfter('CREATE SCHEMA app', `COMMENT ON SCHEMA app IS 'the app'`)).toEqual([
        changed('schema', 'app', 'comment', undefined, 'the app'),
      ]);
    });
  });

  describe('extensions', () => {
    test('create extension: its types and functions are not the schema’s', async () => {
      expect(await differencesAfter('', 'CREATE EXTENSION citext')).toEqual([
        added('extension', 'citext', expect.stringMatching(/^version [\d.]+ in schema public$/) as string),
      ]);
    });
    test('move extension to another schema', async () => {
      expect(await differencesAfter('CREATE SCHEMA ext; CREATE EXTENSION citext', 'ALTER EXTENSION citext SET SCHEMA ext')).toEqual([
        changed('extension', 'citext', 'schema', 'public', 'ext'),
      ]);
    });
    test('drop extension', async () => {
      expect(await differencesAfter('CREATE EXTENSION hstore', 'DROP EXTENSION hstore')).toEqual([
        removed('extension', 'hstore', expect.stringMatching(/^version [\d.]+ in schema public$/) as string),
      ]);
    });
  });

  describe('tables', () => {
    test('create table: its columns, key, index and serial sequence are folded into it', async () => {
      expect(await differencesAfter('', 'CREATE TABLE orders (id serial PRIMARY KEY, total numeric(10,2) NOT NULL)')).toEqual([
        added('table', 'public.orders'),
      ]);
    });
    test('drop table', async () => {
      const setup = `${USERS} CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer REFERENCES users, total numeric CHECK (total > 0));
        CREATE INDEX orders_user_idx ON orders (user_id);
        CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER orders_noop BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION noop();
        CREATE POLICY mine ON orders USING (user_id = 1);`;
      expect(await differencesAfter(setup, 'DROP TABLE orders')).toEqual([removed('table', 'public.orders')]);
    });
    test('unlogged', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users SET UNLOGGED')).toEqual([
        changed('table', 'public.users', 'persistence', 'permanent', 'unlogged'),
      ]);
    });
    test('row level security, enabled and forced', async () => {
      expect(
        await differencesAfter(USERS, ['ALTER TABLE users ENABLE ROW LEVEL SECURITY', 'ALTER TABLE users FORCE ROW LEVEL SECURITY']),
      ).toEqual([
        changed('table', 'public.users', 'rowLevelSecurity', 'false', 'true'),
        changed('table', 'public.users', 'forceRowLevelSecurity', 'false', 'true'),
      ]);
    });
    test('storage parameters', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users SET (fillfactor = 70, autovacuum_enabled = false)')).toEqual([
        changed('table', 'public.users', 'options', undefined, 'autovacuum_enabled=false, fillfactor=70'),
      ]);
    });
    test('replica identity', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users REPLICA IDENTITY FULL')).toEqual([
        changed('table', 'public.users', 'replicaIdentity', 'default', 'full'),
      ]);
    });
    test('replica identity using an index', async () => {
      const setup = `CREATE TABLE t (id integer NOT NULL); CREATE UNIQUE INDEX t_id_key ON t (id);`;
      expect(await differencesAfter(setup, 'ALTER TABLE t REPLICA IDENTITY USING INDEX t_id_key')).toEqual([
        changed('table', 'public.t', 'replicaIdentity', 'default', 'index'),
        changed('index', 'public.t_id_key', 'replicaIdentity', 'false', 'true'),
      ]);
    });
    test('comment on table', async () => {
      expect(await differencesAfter(USERS, `COMMENT ON TABLE users IS 'people'`)).toEqual([
        changed('table', 'public.users', 'comment', undefined, 'people'),
      ]);
    });
    test('partition key', async () => {
      const setup = `CREATE TABLE events (id integer, at date) PARTITION BY RANGE (at)`;
      const change = ['DROP TABLE events', 'CREATE TABLE events (id integer, at date) PARTITION BY LIST (id)'];
      expect(await differencesAfter(setup, change)).toEqual([
        changed('table', 'public.events', 'partitionKey', 'RANGE (at)', 'LIST (id)'),
      ]);
    });
    test('detach partition (its index is detached too)', async () => {
      const setup = `CREATE TABLE events (id integer, at date) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE INDEX events_at_idx ON events (at);`;
      expect(await differencesAfter(setup, 'ALTER TABLE events DETACH PARTITION events_2024')).toEqual([
        changed('table', 'public.events_2024', 'partitionOf', 'public.events', undefined),
        changed('table', 'public.events_2024', 'partitionBound', "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", undefined),
        changed('index', 'public.events_2024_at_idx', 'partitionOf', 'public.events_at_idx', undefined),
      ]);
    });
    test('inheritance', async () => {
      const setup = `CREATE TABLE parent (id integer); CREATE TABLE child (id integer, extra text);`;
      expect(await differencesAfter(setup, 'ALTER TABLE child INHERIT parent')).toEqual([
        changed('table', 'public.child', 'inherits', undefined, 'public.parent'),
      ]);
    });
    test('foreign table options', async () => {
      const setup = `CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE imported (a integer) SERVER files OPTIONS (filename '/dev/null', format 'csv');`;
      expect(await differencesAfter(setup, `ALTER FOREIGN TABLE imported OPTIONS (SET filename '/tmp/in.csv')`)).toEqual([
        changed('table', 'public.imported', 'foreignOptions', 'filename=/dev/null, format=csv', 'filename=/tmp/in.csv, format=csv'),
      ]);
    });
    test('a table becomes a view of the same name', async () => {
      const setup = `CREATE TABLE things (id integer PRIMARY KEY)`;
      expect(await differencesAfter(setup, ['DROP TABLE things', 'CREATE VIEW things AS SELECT 1 AS id'])).toEqual([
        removed('table', 'public.things'),
        added('view', 'public.things', 'SELECT 1 AS id;'),
      ]);
    });
  });

  describe('columns', () => {
    test('add column', async () => {
      expect(await differencesAfter(USERS, `ALTER TABLE users ADD COLUMN name varchar(80) NOT NULL DEFAULT ''`)).toEqual([
        added('column', 'public.users.name', `character varying(80) NOT NULL DEFAULT ''::character varying`),
      ]);
    });
    test('drop column', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users DROP COLUMN age')).toEqual([
        removed('column', 'public.users.age', 'integer'),
      ]);
    });
    test('type', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN age TYPE bigint')).toEqual([
        changed('column', 'public.users.age', 'type', 'integer', 'bigint'),
      ]);
    });
    test('NOT NULL is the column’s, never a separate constraint (PostgreSQL 18 stores one)', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN email SET NOT NULL')).toEqual([
        changed('column', 'public.users.email', 'notNull', 'false', 'true'),
      ]);
    });
    test('default set and dropped', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN age SET DEFAULT 18')).toEqual([
        changed('column', 'public.users.age', 'default', undefined, '18'),
      ]);
      expect(await differencesAfter(`${USERS} ALTER TABLE users ALTER age SET DEFAULT 18`, 'ALTER TABLE users ALTER COLUMN age DROP DEFAULT')).toEqual([
        changed('column', 'public.users.age', 'default', '18', undefined),
      ]);
    });
    test('identity (its sequence appears with it)', async () => {
      const setup = 'CREATE TABLE t (id bigint NOT NULL)';
      expect(await differencesAfter(setup, 'ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY')).toEqual([
        added(
          'sequence',
          'public.t_id_seq',
          'AS bigint INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1 CACHE 1 NO CYCLE OWNED BY public.t.id',
        ),
        changed('column', 'public.t.id', 'identity', undefined, 'by default'),
      ]);
    });
    test('generated column', async () => {
      const setup = 'CREATE TABLE t (price numeric, quantity integer, total numeric GENERATED ALWAYS AS (price * quantity) STORED)';
      expect(await differencesAfter(setup, 'ALTER TABLE t ALTER COLUMN total DROP EXPRESSION')).toEqual([
        changed('column', 'public.t.total', 'generated', '(price * (quantity)::numeric) STORED', undefined),
      ]);
    });
    test('collation', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN email TYPE text COLLATE "C"')).toEqual([
        changed('column', 'public.users.email', 'collation', undefined, '"C"'),
      ]);
    });
    test('storage', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN email SET STORAGE EXTERNAL')).toEqual([
        changed('column', 'public.users.email', 'storage', undefined, 'external'),
      ]);
    });
    test('compression', async ({ skip }) => {
      skip((await serverVersion()) < 140000, 'SET COMPRESSION is from PostgreSQL 14');
      expect(await differencesAfter(USERS, 'ALTER TABLE users ALTER COLUMN email SET COMPRESSION pglz')).toEqual([
        changed('column', 'public.users.email', 'compression', undefined, 'pglz'),
      ]);
    });
    test('comment on column', async () => {
      expect(await differencesAfter(USERS, `COMMENT ON COLUMN users.email IS 'primary address'`)).toEqual([
        changed('column', 'public.users.email', 'comment', undefined, 'primary address'),
      ]);
    });
    test('a dropped and re-added column: same schema unless column order is asked for', async () => {
      const change = ['ALTER TABLE users DROP COLUMN email', 'ALTER TABLE users ADD COLUMN email text'];
      expect(await differencesAfter(USERS, change)).toEqual([]);
      expect(await differencesAfter(USERS, change, { includeColumnOrder: true })).toEqual([
        changed('column', 'public.users.age', 'position', '3', '2'),
        changed('column', 'public.users.email', 'position', '2', '3'),
      ]);
    });
    test('names that need quoting', async () => {
      const setup = `CREATE TABLE "Order Items" ("Quantity" integer)`;
      expect(await differencesAfter(setup, `ALTER TABLE "Order Items" ALTER COLUMN "Quantity" TYPE smallint`)).toEqual([
        changed('column', 'public."Order Items"."Quantity"', 'type', 'integer', 'smallint'),
      ]);
    });
  });

  describe('indexes', () => {
    test('create index', async () => {
      expect(await differencesAfter(USERS, 'CREATE INDEX users_email_idx ON users (lower(email)) WHERE age > 18')).toEqual([
        added('index', 'public.users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (lower(email)) WHERE (age > 18)'),
      ]);
    });
    test('drop index', async () => {
      expect(await differencesAfter(`${USERS} CREATE INDEX users_age_idx ON users (age)`, 'DROP INDEX users_age_idx')).toEqual([
        removed('index', 'public.users_age_idx', 'CREATE INDEX users_age_idx ON public.users USING btree (age)'),
      ]);
    });
    test('recreated with another definition under the same name', async () => {
      const setup = `${USERS} CREATE INDEX users_lookup_idx ON users (email)`;
      const change = ['DROP INDEX users_lookup_idx', 'CREATE UNIQUE INDEX users_lookup_idx ON users (email, age)'];
      expect(await differencesAfter(setup, change)).toEqual([
        changed(
          'index',
          'public.users_lookup_idx',
          'definition',
          'CREATE INDEX users_lookup_idx ON public.users USING btree (email)',
          'CREATE UNIQUE INDEX users_lookup_idx ON public.users USING btree (email, age)',
        ),
      ]);
    });
    test('a failed CREATE INDEX CONCURRENTLY leaves an invalid index', async () => {
      const setup = `${USERS} INSERT INTO users VALUES (1, 'a@x', 1), (2, 'a@x', 2); CREATE INDEX users_email_key ON users (email);`;
      const db = await borrowDatabase();
      try {
        await db.client.query(setup);
        const before = await readSchemaSnapshot(db.client);
        await db.client.query('DROP INDEX users_email_key');
        await expect(db.client.query('CREATE INDEX CONCURRENTLY users_email_key ON users ((1 / (age - 2)))')).rejects.toThrow(
          /division by zero/,
        );
        const after = await readSchemaSnapshot(db.client);
        expect(diffSnapshots(before, after)).toEqual([
          changed(
            'index',
            'public.users_email_key',
            'definition',
            'CREATE INDEX users_email_key ON public.users USING btree (email)',
            'CREATE INDEX users_email_key ON public.users USING btree (((1 / (age - 2))))',
          ),
          changed('index', 'public.users_email_key', 'valid', 'true', 'false'),
        ]);
      } finally {
        await giveBack(db);
      }
    });
    test('cluster on', async () => {
      expect(await differencesAfter(`${USERS} CREATE INDEX users_age_idx ON users (age)`, 'ALTER TABLE users CLUSTER ON users_age_idx')).toEqual([
        changed('index', 'public.users_age_idx', 'clustered', 'false', 'true'),
      ]);
    });
    test('comment on index', async () => {
      expect(await differencesAfter(USERS, `COMMENT ON INDEX users_pkey IS 'by id'`)).toEqual([
        changed('index', 'public.users_pkey', 'comment', undefined, 'by id'),
      ]);
    });
  });

  describe('constraints', () => {
    test('add check constraint', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0)')).toEqual([
        added('constraint', 'public.users.users_age_check', 'CHECK ((age >= 0))'),
      ]);
    });
    test('drop primary key (its index goes with it)', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users DROP CONSTRAINT users_pkey')).toEqual([
        removed('index', 'public.users_pkey', 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)'),
        removed('constraint', 'public.users.users_pkey', 'PRIMARY KEY (id)'),
      ]);
    });
    test('add unique constraint (and its index)', async () => {
      expect(await differencesAfter(USERS, 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)')).toEqual([
        added('index', 'public.users_email_key', 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)'),
        added('constraint', 'public.users.users_email_key', 'UNIQUE (email)'),
      ]);
    });
    test('foreign key added NOT VALID, then validated (its internal triggers are not reported)', async () => {
      const setup = `${USERS} CREATE TABLE orders (id integer, user_id integer)`;
      expect(
        await differencesAfter(setup, 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID'),
      ).toEqual([added('constraint', 'public.orders.orders_user_fk', 'FOREIGN KEY (user_id) REFERENCES public.users(id) NOT VALID')]);
      const withKey = `${setup}; ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users NOT VALID`;
      expect(await differencesAfter(withKey, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk')).toEqual([
        changed(
          'constraint',
          'public.orders.orders_user_fk',
          'definition',
          'FOREIGN KEY (user_id) REFERENCES public.users(id) NOT VALID',
          'FOREIGN KEY (user_id) REFERENCES public.users(id)',
        ),
        changed('constraint', 'public.orders.orders_user_fk', 'validated', 'false', 'true'),
      ]);
    });
    test('deferrable', async () => {
      const setup = `${USERS} CREATE TABLE orders (id integer, user_id integer CONSTRAINT orders_user_fk REFERENCES users)`;
      expect(await differencesAfter(setup, 'ALTER TABLE orders ALTER CONSTRAINT orders_user_fk DEFERRABLE INITIALLY DEFERRED')).toEqual([
        changed(
          'constraint',
          'public.orders.orders_user_fk',
          'definition',
          'FOREIGN KEY (user_id) REFERENCES public.users(id)',
          'FOREIGN KEY (user_id) REFERENCES public.users(id) DEFERRABLE INITIALLY DEFERRED',
        ),
        changed('constraint', 'public.orders.orders_user_fk', 'deferrable', 'false', 'true'),
        changed('constraint', 'public.orders.orders_user_fk', 'initiallyDeferred', 'false', 'true'),
      ]);
    });
    test('exclusion constraint', async () => {
      const setup = `CREATE EXTENSION btree_gist; CREATE TABLE booking (room integer, during tsrange)`;
      expect(await differencesAfter(setup, 'ALTER TABLE booking ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)')).toEqual([
        added('index', 'public.no_overlap', 'CREATE INDEX no_overlap ON public.booking USING gist (room, during)'),
        added('constraint', 'public.booking.no_overlap', 'EXCLUDE USING gist (room WITH =, during WITH &&)'),
      ]);
    });
    test('comment on constraint', async () => {
      expect(await differencesAfter(USERS, `COMMENT ON CONSTRAINT users_pkey ON users IS 'identity'`)).toEqual([
        changed('constraint', 'public.users.users_pkey', 'comment', undefined, 'identity'),
      ]);
    });
  });

  describe('enum types', () => {
    test('create enum', async () => {
      expect(await differencesAfter('', `CREATE TYPE mood AS ENUM ('sad', 'ok')`)).toEqual([added('enum', 'public.mood', `'sad', 'ok'`)]);
    });
    test('add value (order matters)', async () => {
      expect(await differencesAfter(`CREATE TYPE mood AS ENUM ('sad', 'ok')`, `ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'`)).toEqual([
        changed('enum', 'public.mood', 'labels', `'sad', 'ok'`, `'sad', 'meh', 'ok'`),
      ]);
    });
    test('rename value', async () => {
      expect(await differencesAfter(`CREATE TYPE mood AS ENUM ('sad', 'ok')`, `ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'`)).toEqual([
        changed('enum', 'public.mood', 'labels', `'sad', 'ok'`, `'sad', 'fine'`),
      ]);
    });
    test('comment on type', async () => {
      expect(await differencesAfter(`CREATE TYPE mood AS ENUM ('sad')`, `COMMENT ON TYPE mood IS 'feelings'`)).toEqual([
        changed('enum', 'public.mood', 'comment', undefined, 'feelings'),
      ]);
    });
  });

  describe('composite types', () => {
    const setup = 'CREATE TYPE address AS (street text, city varchar(40))';
    test('create', async () => {
      expect(await differencesAfter('', setup)).toEqual([
        added('composite type', 'public.address', '(street text, city character varying(40))'),
      ]);
    });
    test('add attribute', async () => {
      expect(await differencesAfter(setup, 'ALTER TYPE address ADD ATTRIBUTE zip text COLLATE "C"')).toEqual([
        changed(
          'composite type',
          'public.address',
          'attributes',
          'street text, city character varying(40)',
          'street text, city character varying(40), zip text COLLATE "C"',
        ),
      ]);
    });
    test('change attribute type', async () => {
      expect(await differencesAfter(setup, 'ALTER TYPE address ALTER ATTRIBUTE city TYPE text')).toEqual([
        changed('composite type', 'public.address', 'attributes', 'street text, city character varying(40)', 'street text, city text'),
      ]);
    });
  });

  describe('domains', () => {
    const setup = 'CREATE DOMAIN quantity AS integer';
    test('create', async () => {
      expect(await differencesAfter('', 'CREATE DOMAIN quantity AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0)')).toEqual([
        added('domain', 'public.quantity', 'integer NOT NULL DEFAULT 1'),
      ]);
    });
    test('not null (PostgreSQL 17+ also store it as a constraint: not reported twice)', async () => {
      expect(await differencesAfter(setup, 'ALTER DOMAIN quantity SET NOT NULL')).toEqual([
        changed('domain', 'public.quantity', 'notNull', 'false', 'true'),
      ]);
    });
    test('default', async () => {
      expect(await differencesAfter(setup, 'ALTER DOMAIN quantity SET DEFAULT 1')).toEqual([
        changed('domain', 'public.quantity', 'default', undefined, '1'),
      ]);
    });
    test('add and drop a constraint', async () => {
      expect(await differencesAfter(setup, 'ALTER DOMAIN quantity ADD CONSTRAINT positive CHECK (VALUE > 0)')).toEqual([
        added('domain constraint', 'public.quantity.positive', 'CHECK ((VALUE > 0))'),
      ]);
      expect(await differencesAfter(`${setup} CONSTRAINT positive CHECK (VALUE > 0)`, 'ALTER DOMAIN quantity DROP CONSTRAINT positive')).toEqual([
        removed('domain constraint', 'public.quantity.positive', 'CHECK ((VALUE > 0))'),
      ]);
    });
    test('base type', async () => {
      expect(await differencesAfter(setup, ['DROP DOMAIN quantity', 'CREATE DOMAIN quantity AS bigint'])).toEqual([
        changed('domain', 'public.quantity', 'baseType', 'integer', 'bigint'),
      ]);
    });
  });

  describe('range types', () => {
    test('create (its constructor functions and multirange are part of it)', async () => {
      expect(await differencesAfter('', 'CREATE TYPE floatrange AS RANGE (subtype = float8)')).toEqual([
        added('range type', 'public.floatrange', 'subtype double precision'),
      ]);
    });
    test('subtype difference function', async () => {
      const setup = 'CREATE TYPE floatrange AS RANGE (subtype = float8)';
      expect(await differencesAfter(setup, ['DROP TYPE floatrange', 'CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi)'])).toEqual([
        changed('range type', 'public.floatrange', 'subtypeDiffFunction', undefined, 'float8mi(double precision,double precision)'),
      ]);
    });
  });

  describe('base types', () => {
    test('shell type', async () => {
      expect(await differencesAfter('', 'CREATE TYPE opaque_thing')).toEqual([added('base type', 'public.opaque_thing', 'shell type')]);
    });
  });

  describe('sequences', () => {
    test('create', async () => {
      expect(await differencesAfter('', 'CREATE SEQUENCE invoice_no START 1000')).toEqual([
        added(
          'sequence',
          'public.invoice_no',
          'AS bigint INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1000 CACHE 1 NO CYCLE',
        ),
      ]);
    });
    test('alter parameters', async () => {
      expect(await differencesAfter('CREATE SEQUENCE s', 'ALTER SEQUENCE s INCREMENT BY 5 MAXVALUE 1000 CACHE 10 CYCLE')).toEqual([
        changed('sequence', 'public.s', 'increment', '1', '5'),
        changed('sequence', 'public.s', 'maxValue', '9223372036854775807', '1000'),
        changed('sequence', 'public.s', 'cache', '1', '10'),
        changed('sequence', 'public.s', 'cycle', 'false', 'true'),
      ]);
    });
    test('data type', async () => {
      expect(await differencesAfter('CREATE SEQUENCE s', 'ALTER SEQUENCE s AS integer')).toEqual([
        changed('sequence', 'public.s', 'dataType', 'bigint', 'integer'),
        changed('sequence', 'public.s', 'maxValue', '9223372036854775807', '2147483647'),
      ]);
    });
    test('owned by', async () => {
      expect(await differencesAfter(`${USERS} CREATE SEQUENCE s`, 'ALTER SEQUENCE s OWNED BY users.id')).toEqual([
        changed('sequence', 'public.s', 'ownedBy', undefined, 'public.users.id'),
      ]);
    });
    test('using a sequence is not a schema change', async () => {
      expect(await differencesAfter('CREATE SEQUENCE s', [`SELECT nextval('s')`, `SELECT setval('s', 500)`])).toEqual([]);
    });
  });

  describe('views', () => {
    test('create', async () => {
      expect(await differencesAfter(USERS, 'CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18')).toEqual([
        added('view', 'public.adults', expect.stringMatching(/^SELECT (users\.)?id,\s+(users\.)?email\s+FROM public\.users\s+WHERE \(?\(?(users\.)?age >= 18\)?\)?;$/) as string),
      ]);
    });
    test('replace with another column', async () => {
      const setup = `${USERS} CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18`;
      const differences = await differencesAfter(setup, 'CREATE OR REPLACE VIEW adults AS SELECT id, email FROM users WHERE age >= 18');
      expect(differences).toEqual([
        {
          objectType: 'view',
          object: 'public.adults',
          change: 'changed',
          property: 'definition',
          before: expect.not.stringContaining('email') as string,
          after: expect.stringContaining('email') as string,
        },
        added('column', 'public.adults.email', 'text'),
      ]);
    });
    test('options', async () => {
      const setup = `${USERS} CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18`;
      expect(await differencesAfter(setup, 'ALTER VIEW adults SET (security_barrier = true)')).toEqual([
        changed('view', 'public.adults', 'options', undefined, 'security_barrier=true'),
      ]);
    });
    test('drop (an INSTEAD OF trigger on it goes with it)', async () => {
      const setup = `${USERS} CREATE VIEW adults AS SELECT id FROM users;
        CREATE FUNCTION ignore_it() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
        CREATE TRIGGER adults_insert INSTEAD OF INSERT ON adults FOR EACH ROW EXECUTE FUNCTION ignore_it();`;
      expect(await differencesAfter(setup, 'DROP VIEW adults')).toEqual([removed('view', 'public.adults', expect.any(String) as string)]);
    });
    test('comment on view', async () => {
      expect(await differencesAfter(`${USERS} CREATE VIEW v AS SELECT id FROM users`, `COMMENT ON VIEW v IS 'ids'`)).toEqual([
        changed('view', 'public.v', 'comment', undefined, 'ids'),
      ]);
    });
  });

  describe('materialized views', () => {
    const setup = `${USERS} CREATE MATERIALIZED VIEW ages AS SELECT age, count(*) AS n FROM users GROUP BY age WITH NO DATA`;
    test('create', async () => {
      expect(await differencesAfter(USERS, 'CREATE MATERIALIZED VIEW ages AS SELECT age FROM users')).toEqual([
        added('materialized view', 'public.ages', expect.stringMatching(/^SELECT (users\.)?age\s+FROM public\.users;$/) as string),
      ]);
    });
    test('populated by refresh', async () => {
      expect(await differencesAfter(setup, 'REFRESH MATERIALIZED VIEW ages')).toEqual([
        changed('materialized view', 'public.ages', 'populated', 'false', 'true'),
      ]);
    });
    test('index on a materialized view', async () => {
      expect(await differencesAfter(setup, 'CREATE UNIQUE INDEX ages_age_idx ON ages (age)')).toEqual([
        added('index', 'public.ages_age_idx', 'CREATE UNIQUE INDEX ages_age_idx ON public.ages USING btree (age)'),
      ]);
    });
    test('drop (its index goes with it)', async () => {
      expect(await differencesAfter(`${setup}; CREATE INDEX ages_age_idx ON ages (age)`, 'DROP MATERIALIZED VIEW ages')).toEqual([
        removed('materialized view', 'public.ages', expect.any(String) as string),
      ]);
    });
  });

  describe('functions, procedures, aggregates', () => {
    const add = `CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b'`;
    test('create function', async () => {
      expect(await differencesAfter('', add)).toEqual([
        added(
          'function',
          'public.add(a integer, b integer)',
          'CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT a + b$function$',
        ),
      ]);
    });
    test('replace body', async () => {
      const replacement = `CREATE OR REPLACE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT b + a'`;
      expect(await differencesAfter(add, replacement)).toEqual([
        changed(
          'function',
          'public.add(a integer, b integer)',
          'definition',
          'CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT a + b$function$',
          'CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT b + a$function$',
        ),
      ]);
    });
    test('alter volatility and settings', async () => {
      const differences = await differencesAfter(add, `ALTER FUNCTION add(integer, integer) STABLE SET search_path = ''`);
      expect(differences).toEqual([
        changed(
          'function',
          'public.add(a integer, b integer)',
          'definition',
          expect.stringContaining(' IMMUTABLE\n') as string,
          expect.stringMatching(/ STABLE\n SET search_path TO ''\n/) as string,
        ),
      ]);
    });
    test('an overload is another function', async () => {
      expect(await differencesAfter(add, `CREATE FUNCTION add(a bigint, b bigint) RETURNS bigint LANGUAGE sql AS 'SELECT a + b'`)).toEqual([
        added('function', 'public.add(a bigint, b bigint)', expect.stringContaining('RETURNS bigint') as string),
      ]);
    });
    test('create procedure', async () => {
      expect(await differencesAfter('', `CREATE PROCEDURE tidy() LANGUAGE sql AS 'SELECT 1'`)).toEqual([
        added('procedure', 'public.tidy()', 'CREATE OR REPLACE PROCEDURE public.tidy()\n LANGUAGE sql\nAS $procedure$SELECT 1$procedure$'),
      ]);
    });
    test('create aggregate', async () => {
      expect(await differencesAfter('', `CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')`)).toEqual([
        added('aggregate', 'public.total(integer)', `AGGREGATE public.total(integer) (SFUNC = int4pl(integer,integer), STYPE = integer, INITCOND = '0')`),
      ]);
    });
    test('comment on function', async () => {
      expect(await differencesAfter(add, `COMMENT ON FUNCTION add(integer, integer) IS 'sum'`)).toEqual([
        changed('function', 'public.add(a integer, b integer)', 'comment', undefined, 'sum'),
      ]);
    });
    test('drop function', async () => {
      expect(await differencesAfter(add, 'DROP FUNCTION add')).toEqual([
        removed('function', 'public.add(a integer, b integer)', expect.stringContaining('SELECT a + b') as string),
      ]);
    });
  });

  describe('triggers', () => {
    const setup = `${USERS} CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';`;
    const trigger = 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()';
    test('create', async () => {
      expect(await differencesAfter(setup, trigger)).toEqual([
        added('trigger', 'public.users.users_touch', 'CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()'),
      ]);
    });
    test('disable', async () => {
      expect(await differencesAfter(`${setup} ${trigger}`, 'ALTER TABLE users DISABLE TRIGGER users_touch')).toEqual([
        changed('trigger', 'public.users.users_touch', 'enabled', 'origin', 'disabled'),
      ]);
    });
    test('drop', async () => {
      expect(await differencesAfter(`${setup} ${trigger}`, 'DROP TRIGGER users_touch ON users')).toEqual([
        removed('trigger', 'public.users.users_touch', expect.stringContaining('CREATE TRIGGER users_touch') as string),
      ]);
    });
    test('on a partitioned table: reported once, not per partition', async () => {
      const partitioned = `CREATE TABLE events (at date) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';`;
      expect(await differencesAfter(partitioned, 'CREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION touch()')).toEqual([
        added('trigger', 'public.events.events_touch', expect.stringContaining('ON public.events FOR EACH ROW') as string),
      ]);
    });
  });

  describe('policies', () => {
    const setup = `${USERS} ALTER TABLE users ENABLE ROW LEVEL SECURITY;`;
    test('create', async () => {
      expect(await differencesAfter(setup, 'CREATE POLICY adults_only ON users FOR SELECT USING (age >= 18)')).toEqual([
        added('policy', 'public.users.adults_only', 'AS PERMISSIVE FOR SELECT TO public USING (age >= 18)'),
      ]);
    });
    test('alter roles and expression', async () => {
      const withPolicy = `${setup} CREATE POLICY adults_only ON users FOR SELECT USING (age >= 18);`;
      expect(await differencesAfter(withPolicy, 'ALTER POLICY adults_only ON users TO pg_monitor, pg_read_all_settings USING (age >= 21)')).toEqual([
        changed('policy', 'public.users.adults_only', 'roles', 'public', 'pg_monitor, pg_read_all_settings'),
        changed('policy', 'public.users.adults_only', 'using', '(age >= 18)', '(age >= 21)'),
      ]);
    });
    test('restrictive, with check', async () => {
      expect(await differencesAfter(setup, 'CREATE POLICY no_minors ON users AS RESTRICTIVE FOR INSERT WITH CHECK (age >= 18)')).toEqual([
        added('policy', 'public.users.no_minors', 'AS RESTRICTIVE FOR INSERT TO public WITH CHECK (age >= 18)'),
      ]);
    });
  });

  describe('owners and privileges', () => {
    test('grant on a table', async () => {
      const [difference] = await differencesAfter(USERS, 'GRANT SELECT, INSERT ON users TO pg_monitor');
      expect(difference).toMatchObject({ objectType: 'table', object: 'public.users', change: 'changed', property: 'privileges' });
      const owner = difference?.before?.split('=')[0] ?? '';
      expect(difference?.after).toBe(`pg_monitor=ar/${owner}, ${difference?.before ?? ''}`);
    });
    test('revoke from PUBLIC on a function', async () => {
      const setup = `CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS 'SELECT 1'; SELECT 1`;
      const differences = await differencesAfter(setup, 'REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC');
      const owner = differences[0]?.after?.split('=')[0] ?? '';
      expect(differences).toEqual([changed('function', 'public.f()', 'privileges', `=X/${owner}, ${owner}=X/${owner}`, `${owner}=X/${owner}`)]);
    });
    test('grant on a column', async () => {
      const differences = await differencesAfter(USERS, 'GRANT SELECT (email) ON users TO pg_monitor');
      expect(differences).toEqual([
        changed('column', 'public.users.email', 'privileges', undefined, expect.stringMatching(/^pg_monitor=r\/.+$/) as string),
      ]);
    });
    test('new owner', async () => {
      const differences = await differencesAfter('CREATE SCHEMA app', 'ALTER SCHEMA app OWNER TO pg_monitor');
      expect(differences.map(({ objectType, object, property, after }) => ({ objectType, object, property, after }))).toEqual([
        { objectType: 'schema', object: 'app', property: 'owner', after: 'pg_monitor' },
        { objectType: 'schema', object: 'app', property: 'privileges', after: 'pg_monitor=UC/pg_monitor' },
      ]);
    });
  });

  describe('comments on the remaining kinds', () => {
    test('sequence, domain, trigger, policy, materialized view', async () => {
      const setup = `${USERS} CREATE SEQUENCE s; CREATE DOMAIN d AS integer CONSTRAINT d_check CHECK (VALUE > 0);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE POLICY p ON users USING (true); CREATE MATERIALIZED VIEW m AS SELECT 1 AS one;`;
      const change = `COMMENT ON SEQUENCE s IS 'c1'; COMMENT ON DOMAIN d IS 'c2'; COMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'c3';
        COMMENT ON TRIGGER users_touch ON users IS 'c4'; COMMENT ON POLICY p ON users IS 'c5';
        COMMENT ON MATERIALIZED VIEW m IS 'c6'; COMMENT ON COLUMN m.one IS 'c7';`;
      expect(await differencesAfter(setup, change)).toEqual([
        changed('domain', 'public.d', 'comment', undefined, 'c2'),
        changed('domain constraint', 'public.d.d_check', 'comment', undefined, 'c3'),
        changed('sequence', 'public.s', 'comment', undefined, 'c1'),
        changed('materialized view', 'public.m', 'comment', undefined, 'c6'),
        changed('column', 'public.m.one', 'comment', undefined, 'c7'),
        changed('trigger', 'public.users.users_touch', 'comment', undefined, 'c4'),
        changed('policy', 'public.users.p', 'comment', undefined, 'c5'),
      ]);
    });
  });
});

describe('formatDifferences', () => {
  test('one line per difference, in the order given', () => {
    const text = formatDifferences([
      changed('column', 'public.users.age', 'type', 'integer', 'bigint'),
      added('index', 'public.users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)'),
      removed('table', 'public.orders'),
    ]);
    expect(text).toBe(
      [
        '~ column public.users.age: type integer → bigint',
        '+ index public.users_email_idx: CREATE INDEX users_email_idx ON public.users USING btree (email)',
        '- table public.orders',
      ].join('\n'),
    );
  });

  test('absent values read "(none)", property names read as words', () => {
    expect(
      formatDifferences([
        changed('column', 'public.users.age', 'default', undefined, '18'),
        changed('column', 'public.users.age', 'notNull', 'false', 'true'),
        changed('table', 'public.users', 'forceRowLevelSecurity', 'true', undefined),
      ]),
    ).toBe(
      [
        '~ column public.users.age: default (none) → 18',
        '~ column public.users.age: not null false → true',
        '~ table public.users: force row level security true → (none)',
      ].join('\n'),
    );
  });

  test('a multi-line summary follows its line, indented', () => {
    expect(formatDifferences([removed('function', 'public.f()', 'CREATE FUNCTION public.f()\n RETURNS integer')])).toBe(
      ['- function public.f()', '    CREATE FUNCTION public.f()', '     RETURNS integer'].join('\n'),
    );
  });

  test('a changed multi-line value is shown as a line diff', () => {
    const before = ['CREATE OR REPLACE FUNCTION public.f()', ' RETURNS integer', ' LANGUAGE sql', 'AS $$SELECT 1$$'].join('\n');
    const after = ['CREATE OR REPLACE FUNCTION public.f()', ' RETURNS integer', ' LANGUAGE sql', ' STABLE', 'AS $$SELECT 2$$'].join('\n');
    expect(formatDifferences([changed('function', 'public.f()', 'definition', before, after)])).toBe(
      [
        '~ function public.f(): definition changed',
        '      CREATE OR REPLACE FUNCTION public.f()',
        '       RETURNS integer',
        '       LANGUAGE sql',
        '    - AS $$SELECT 1$$',
        '    +  STABLE',
        '    + AS $$SELECT 2$$',
      ].join('\n'),
    );
  });

  test('added and removed objects without a summary, and nothing at all', () => {
    expect(formatDifferences([added('schema', 'app'), removed('schema', 'old')])).toBe('+ schema app\n- schema old');
    expect(formatDifferences([])).toBe('');
  });
});
