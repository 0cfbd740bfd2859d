import { describe, expect, test } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { diffSnapshots } from './diff.js';
import type { Queryable } from './queryable.js';
import { functionKey, qualifiedName, type SchemaSnapshot } from './snapshot.js';
import { readSchemaSnapshot } from './read/index.js';

async function withDatabase<T>(prefix: string, use: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const db = await createScratchDatabase(prefix);
  try {
    return await use(db);
  } finally {
    await db.drop();
  }
}

/** One of every object kind the snapshot covers. */
const EVERY_KIND = `
  CREATE EXTENSION citext;
  CREATE EXTENSION file_fdw;
  CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
  CREATE SCHEMA app;
  COMMENT ON SCHEMA app IS 'application';
  CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TYPE app.address AS (street text, city varchar(40) COLLATE "C");
  CREATE DOMAIN app.quantity AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0);
  CREATE TYPE app.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
  CREATE TYPE app.opaque_thing;
  CREATE SEQUENCE app.invoice_no START 1000 INCREMENT 10;
  CREATE TABLE app.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    mood app.mood DEFAULT 'ok',
    home app.address,
    name text COLLATE "C",
    created_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00',
    score numeric GENERATED ALWAYS AS (id * 2) STORED
  ) WITH (fillfactor = 80);
  COMMENT ON TABLE app.users IS 'people';
  COMMENT ON COLUMN app.users.email IS 'login';
  CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app.users (id) ON DELETE CASCADE DEFERRABLE,
    quantity app.quantity,
    total numeric(12, 2)
  );
  ALTER TABLE app.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
  COMMENT ON CONSTRAINT orders_total_check ON app.orders IS 'no refunds here';
  CREATE INDEX orders_user_idx ON app.orders (user_id) WHERE total > 0;
  COMMENT ON INDEX app.orders_user_idx IS 'lookup';
  CREATE UNLOGGED TABLE app.scratch (payload jsonb);
  CREATE TABLE app.events (id integer, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE INDEX events_at_idx ON app.events (at);
  CREATE TABLE app.base_log (at timestamptz);
  CREATE TABLE app.audit_log (who text) INHERITS (app.base_log);
  CREATE FOREIGN TABLE app.imported (a integer) SERVER files OPTIONS (filename '/dev/null', format 'csv');
  CREATE VIEW app.big_orders WITH (security_barrier) AS SELECT id, total FROM app.orders WHERE total > 100;
  COMMENT ON VIEW app.big_orders IS 'big ones';
  CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, sum(total) AS total FROM app.orders GROUP BY user_id;
  CREATE UNIQUE INDEX order_totals_user_idx ON app.order_totals (user_id);
  CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
  COMMENT ON FUNCTION app.add(integer, integer) IS 'sum';
  CREATE PROCEDURE app.tidy() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM app.scratch; END $$;
  CREATE AGGREGATE app.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
  CREATE TRIGGER events_touch BEFORE INSERT ON app.events FOR EACH ROW EXECUTE FUNCTION app.touch();
  CREATE RULE orders_keep AS ON DELETE TO app.orders DO INSTEAD NOTHING;
  ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own_orders ON app.orders FOR SELECT TO public USING (user_id = 1);
  CREATE TABLE public."Order Items" ("Quantity" integer);
`;

describe.concurrent('readSchemaSnapshot', () => {
  test('a fresh database holds only the public schema and plpgsql', async () => {
    await withDatabase('fresh', async (db) => {
      const snapshot = await readSchemaSnapshot(db.client);
      expect(snapshot).toEqual({
        // public's owner and privileges differ between versions (pg_database_owner from 15).
        schemas: {
          public: { name: 'public', owner: expect.any(String), privileges: expect.any(Array), comment: 'standard public schema' },
        },
        extensions: { plpgsql: { name: 'plpgsql', version: '1.0', schema: 'pg_catalog' } },
        enums: {},
        compositeTypes: {},
        domains: {},
        rangeTypes: {},
        baseTypes: {},
        sequences: {},
        tables: {},
        views: {},
        materializedViews: {},
        indexes: {},
        constraints: {},
        triggers: {},
        rules: {},
        policies: {},
        functions: {},
      } satisfies SchemaSnapshot);
    });
  });

  test('a schema with every object kind: stable, JSON round-trips, and no difference with itself', async () => {
    await withDatabase('every_kind', async (db) => {
      await db.client.query(EVERY_KIND);
      const snapshot = await readSchemaSnapshot(db.client);
      expect(await readSchemaSnapshot(db.client)).toEqual(snapshot);
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      expect(diffSnapshots(snapshot, snapshot)).toEqual([]);
      expect(diffSnapshots(snapshot, structuredClone(snapshot), { includeColumnOrder: true })).toEqual([]);

      // Every map holds something, so the checks above covered every kind.
      for (const [kind, objects] of Object.entries(snapshot)) {
        expect(Object.keys(objects as object).length, kind).toBeGreaterThan(0);
      }
      expect(Object.keys(snapshot.tables)).toEqual([
        'app.audit_log',
        'app.base_log',
        'app.events',
        'app.events_2024',
        'app.imported',
        'app.orders',
        'app.scratch',
        'app.users',
        'public."Order Items"',
      ]);
      expect(Object.keys(snapshot.functions)).toEqual([
        'app.add(a integer, b integer)',
        'app.tidy()',
        'app.total(integer)',
        'app.touch()',
      ]);
    });
  });

  test('what it records about tables and columns', async () => {
    await withDatabase('tables', async (db) => {
      await db.client.query(EVERY_KIND);
      const { tables, sequences } = await readSchemaSnapshot(db.client);
      const users = tables['app.users'];
      expect(users).toMatchObject({
        kind: 'table',
        persistence: 'permanent',
        options: ['fillfactor=80'],
        accessMethod: 'heap',
        comment: 'people',
      });
      expect(users?.columns.id).toEqual({
        name: 'id',
        position: 1,
        type: 'bigint',
        notNull: true,
        default: null,
        identity: 'always',
        generated: null,
        collation: null,
        storage: null,
        compression: null,
        privileges: [],
        comment: null,
      });
      expect(users?.columns.email).toMatchObject({ type: 'public.citext', notNull: true, comment: 'login' });
      expect(users?.columns.mood).toMatchObject({ type: 'app.mood', default: `'ok'::app.mood` });
      expect(users?.columns.name).toMatchObject({ type: 'text', collation: '"C"' });
      // Deparsed in UTC whatever the session's time zone.
      expect(users?.columns.created_at).toMatchObject({ default: `'2024-01-01 00:00:00+00'::timestamp with time zone` });
      expect(users?.columns.score).toMatchObject({ generated: '(id * 2) STORED' });
      expect(tables['app.orders']?.columns.id).toMatchObject({
        type: 'integer',
        notNull: true,
        default: `nextval('app.orders_id_seq'::regclass)`,
      });
      expect(tables['app.orders']).toMatchObject({ rowLevelSecurity: true });
      expect(tables['app.scratch']).toMatchObject({ persistence: 'unlogged' });
      expect(tables['app.events']).toMatchObject({ kind: 'partitioned table', partitionKey: 'RANGE (at)', accessMethod: null });
      expect(tables['app.events_2024']).toMatchObject({
        partitionOf: 'app.events',
        partitionBound: `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
      });
      expect(tables['app.audit_log']).toMatchObject({ inherits: ['app.base_log'] });
      expect(tables['app.imported']).toMatchObject({
        kind: 'foreign table',
        foreignServer: 'files',
        foreignOptions: ['filename=/dev/null', 'format=csv'],
      });
      expect(sequences['app.orders_id_seq']).toMatchObject({ dataType: 'integer', ownedBy: 'app.orders.id' });
      expect(sequences['app.users_id_seq']).toMatchObject({ dataType: 'bigint', ownedBy: 'app.users.id' });
      expect(sequences['app.invoice_no']).toMatchObject({ start: '1000', increment: '10', ownedBy: null });
    });
  });

  test('what it records about the other kinds', async () => {
    await withDatabase('kinds', async (db) => {
      await db.client.query(EVERY_KIND);
      const snapshot = await readSchemaSnapshot(db.client);
      const me = await currentUser(db);
      expect(snapshot.enums['app.mood']?.labels).toEqual(['sad', 'ok', 'happy']);
      expect(snapshot.compositeTypes['app.address']?.attributes).toEqual([
        { name: 'street', type: 'text', collation: null, comment: null },
        { name: 'city', type: 'character varying(40)', collation: '"C"', comment: null },
      ]);
      expect(snapshot.domains['app.quantity']).toEqual({
        schema: 'app',
        name: 'quantity',
        owner: me,
        privileges: [`=U/${me}`, `${me}=U/${me}`],
        baseType: 'integer',
        notNull: true,
        default: '1',
        collation: null,
        constraints: { positive: { name: 'positive', definition: 'CHECK ((VALUE > 0))', validated: true, comment: null } },
        comment: null,
      });
      expect(snapshot.rangeTypes['app.floatrange']).toMatchObject({
        subtype: 'double precision',
        subtypeDiffFunction: 'float8mi(double precision,double precision)',
      });
      expect(snapshot.baseTypes['app.opaque_thing']).toMatchObject({ shell: true });
      expect(snapshot.indexes['app.orders_user_idx']).toEqual({
        schema: 'app',
        name: 'orders_user_idx',
        table: 'app.orders',
        definition: 'CREATE INDEX orders_user_idx ON app.orders USING btree (user_id) WHERE (total > (0)::numeric)',
        constraint: null,
        valid: true,
        clustered: false,
        replicaIdentity: false,
        tablespace: null,
        partitionOf: null,
        comment: 'lookup',
      });
      expect(snapshot.indexes['app.orders_pkey']).toMatchObject({ constraint: 'orders_pkey' });
      expect(snapshot.indexes['app.order_totals_user_idx']).toMatchObject({ table: 'app.order_totals' });
      expect(snapshot.indexes['app.events_2024_at_idx']).toMatchObject({ partitionOf: 'app.events_at_idx' });
      expect(snapshot.constraints['app.orders.orders_user_id_fkey']).toEqual({
        schema: 'app',
        table: 'app.orders',
        name: 'orders_user_id_fkey',
        type: 'foreign key',
        definition: 'FOREIGN KEY (user_id) REFERENCES app.users(id) ON DELETE CASCADE DEFERRABLE',
        deferrable: true,
        initiallyDeferred: false,
        validated: true,
        comment: null,
      });
      expect(snapshot.constraints['app.orders.orders_total_check']).toMatchObject({
        type: 'check',
        validated: false,
        comment: 'no refunds here',
      });
      // NOT NULL is each column's notNull, never a constraint (PostgreSQL 18 also has pg_constraint rows for it).
      expect(Object.values(snapshot.constraints).map((constraint) => constraint.type).sort()).toEqual([
        'check',
        'foreign key',
        'primary key',
        'primary key',
        'unique',
      ]);
      expect(snapshot.views['app.big_orders']).toMatchObject({ options: ['security_barrier=true'], comment: 'big ones' });
      expect(Object.keys(snapshot.views['app.big_orders']?.columns ?? {})).toEqual(['id', 'total']);
      expect(snapshot.materializedViews['app.order_totals']).toMatchObject({ populated: true });
      expect(snapshot.functions['app.add(a integer, b integer)']).toMatchObject({ kind: 'function', comment: 'sum' });
      expect(snapshot.functions['app.tidy()']).toMatchObject({ kind: 'procedure' });
      expect(snapshot.functions['app.total(integer)']).toMatchObject({ kind: 'aggregate' });
      // The trigger on the partitioned table is recorded once, not again for its partition's clone.
      expect(Object.keys(snapshot.triggers)).toEqual(['app.events.events_touch', 'app.orders.orders_touch']);
      expect(snapshot.policies['app.orders.own_orders']).toEqual({
        schema: 'app',
        table: 'app.orders',
        name: 'own_orders',
        command: 'SELECT',
        permissive: true,
        roles: ['public'],
        using: '(user_id = 1)',
        withCheck: null,
        comment: null,
      });
      expect(Object.keys(snapshot.extensions)).toEqual(['citext', 'file_fdw', 'plpgsql']);
    });
  });

  test('objects that belong to extensions are left out', async () => {
    await withDatabase('extension_members', async (db) => {
      await db.client.query('CREATE EXTENSION citext; CREATE EXTENSION hstore; CREATE EXTENSION btree_gist');
      const snapshot = await readSchemaSnapshot(db.client);
      expect(Object.keys(snapshot.extensions)).toEqual(['btree_gist', 'citext', 'hstore', 'plpgsql']);
      expect(snapshot.baseTypes).toEqual({});
      expect(snapshot.functions).toEqual({});
      expect(snapshot.compositeTypes).toEqual({});
    });
  });

  test('the same schema built in different statement orders gives deep-equal snapshots', async () => {
    const oneOrder = `
      CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
      CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL, nickname text);
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer REFERENCES customers, status status NOT NULL DEFAULT 'new');
      CREATE INDEX orders_customer_idx ON orders (customer_id);
      CREATE FUNCTION first_order(c integer) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT min(id) FROM public.orders WHERE customer_id = c';
      CREATE VIEW paid_orders AS SELECT id, customer_id FROM orders WHERE status = 'paid';
      COMMENT ON TABLE orders IS 'orders';
    `;
    // Reversed where possible, constraints added afterwards, a column dropped on the way, enum values added
    // one by one, the serial written out by hand, and unrelated objects created and dropped in between.
    const anotherOrder = `
      CREATE TYPE status AS ENUM ('shipped');
      ALTER TYPE status ADD VALUE 'new' BEFORE 'shipped';
      ALTER TYPE status ADD VALUE 'paid' AFTER 'new';
      CREATE TABLE leftover (x integer);
      CREATE SEQUENCE customers_id_seq AS integer;
      CREATE TABLE customers (id integer NOT NULL DEFAULT nextval('customers_id_seq'), obsolete text, email text, nickname text);
      ALTER SEQUENCE customers_id_seq OWNED BY customers.id;
      ALTER TABLE customers DROP COLUMN obsolete;
      ALTER TABLE customers ALTER COLUMN email SET NOT NULL;
      CREATE TABLE orders (id bigint NOT NULL, customer_id integer, status status NOT NULL DEFAULT 'new');
      COMMENT ON TABLE orders IS 'orders';
      CREATE INDEX orders_customer_idx ON orders (customer_id);
      ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
      ALTER TABLE customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);
      CREATE VIEW paid_orders AS SELECT id, customer_id FROM orders WHERE status = 'paid';
      CREATE FUNCTION first_order(c integer) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT min(id) FROM public.orders WHERE customer_id = c';
      DROP TABLE leftover;
    `;
    const [first, second] = await Promise.all([
      withDatabase('order_a', async (db) => {
        await db.client.query(oneOrder);
        return readSchemaSnapshot(db.client);
      }),
      withDatabase('order_b', async (db) => {
        // One statement at a time: older servers (e.g. 15) refuse an enum value in the transaction that added it.
        for (const statement of anotherOrder.split(';').filter((text) => text.trim())) await db.client.query(statement);
        return readSchemaSnapshot(db.client);
      }),
    ]);
    expect(diffSnapshots(first, second, { includeColumnOrder: true })).toEqual([]);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  test('only the schemas asked for', async () => {
    await withDatabase('scope', async (db) => {
      await db.client.query(EVERY_KIND);
      const snapshot = await readSchemaSnapshot(db.client, { schemas: ['public', 'missing'] });
      expect(Object.keys(snapshot.schemas)).toEqual(['public']);
      expect(Object.keys(snapshot.tables)).toEqual(['public."Order Items"']);
      expect(snapshot.functions).toEqual({});
      expect(snapshot.enums).toEqual({});
      // Extensions are database-wide.
      expect(Object.keys(snapshot.extensions)).toEqual(['citext', 'file_fdw', 'plpgsql']);
    });
  });

  test('system and temporary schemas are never part of it', async () => {
    await withDatabase('system', async (db) => {
      await db.client.query('CREATE TEMPORARY TABLE temp_thing (id integer PRIMARY KEY)');
      const snapshot = await readSchemaSnapshot(db.client);
      expect(Object.keys(snapshot.schemas)).toEqual(['public']);
      expect(snapshot.tables).toEqual({});
      expect(snapshot.indexes).toEqual({});
    });
  });

  test('independent of the session, whose settings it leaves as they were', async () => {
    await withDatabase('session', async (db) => {
      await db.client.query(EVERY_KIND);
      const plain = await readSchemaSnapshot(db.client);
      await db.client.query(`SET search_path = app, public; SET TimeZone = 'Asia/Kolkata'; SET DateStyle = 'SQL, DMY'`);
      const settingsBefore = await db.client.query(
        `SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds`,
      );
      expect(await readSchemaSnapshot(db.client)).toEqual(plain);
      const settingsAfter = await db.client.query(
        `SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds`,
      );
      expect(settingsAfter.rows).toEqual(settingsBefore.rows);
    });
  });

  test('reads inside the caller’s transaction: read-only, or a rehearsal rolled back afterwards', async () => {
    await withDatabase('transaction', async (db) => {
      await db.client.query(EVERY_KIND);
      const original = await readSchemaSnapshot(db.client);

      await db.client.query('BEGIN TRANSACTION READ ONLY');
      expect(await readSchemaSnapshot(db.client)).toEqual(original);
      await db.client.query('COMMIT');

      await db.client.query('BEGIN');
      await db.client.query('ALTER TABLE app.users ADD COLUMN age integer; DROP VIEW app.big_orders');
      const rehearsed = await readSchemaSnapshot(db.client);
      await db.client.query('ROLLBACK');
      expect(diffSnapshots(original, rehearsed).map((difference) => `${difference.change} ${difference.objectType} ${difference.object}`)).toEqual([
        'added column app.users.age',
        'removed view app.big_orders',
      ]);
      expect(await readSchemaSnapshot(db.client)).toEqual(original);
    });
  });

  test('refuses servers older than PostgreSQL 13', async () => {
    const oldServer: Queryable = {
      query: async <R>() => ({ rows: [{ version: 120017 }] as R[] }),
    };
    await expect(readSchemaSnapshot(oldServer)).rejects.toThrow(/PostgreSQL 13 or later/);
  });
});

describe.concurrent('owners and privileges', () => {
  test('recorded by default, normalised so that "granted then revoked" equals "never granted"', async () => {
    await withDatabase('privileges', async (db) => {
      await db.client.query(EVERY_KIND);
      const me = await currentUser(db);
      const original = await readSchemaSnapshot(db.client);
      expect(original.tables['app.users']).toMatchObject({ owner: me, privileges: [expect.stringMatching(new RegExp(`^${me}=arwdDxtm?/${me}$`))] });
      expect(original.functions['app.add(a integer, b integer)']).toMatchObject({ owner: me, privileges: [`=X/${me}`, `${me}=X/${me}`] });
      expect(original.sequences['app.invoice_no']).toMatchObject({ owner: me, privileges: [`${me}=rwU/${me}`] });
      expect(original.schemas.app).toMatchObject({ owner: me, privileges: [`${me}=UC/${me}`] });

      await db.client.query(`GRANT SELECT ON app.users TO pg_monitor; REVOKE SELECT ON app.users FROM pg_monitor`);
      expect(await readSchemaSnapshot(db.client)).toEqual(original);
    });
  });

  test('left out on request', async () => {
    await withDatabase('no_privileges', async (db) => {
      await db.client.query(EVERY_KIND);
      await db.client.query(`GRANT SELECT (email) ON app.users TO pg_monitor`);
      const snapshot = await readSchemaSnapshot(db.client, { privileges: false });
      expect(snapshot.tables['app.users']).toMatchObject({ owner: null, privileges: [] });
      expect(snapshot.tables['app.users']?.columns.email).toMatchObject({ privileges: [] });
      expect(snapshot.functions['app.tidy()']).toMatchObject({ owner: null, privileges: [] });
      expect(snapshot.domains['app.quantity']).toMatchObject({ owner: null, privileges: [] });
    });
  });
});

async function currentUser(db: ScratchDatabase): Promise<string> {
  const { rows } = await db.client.query<{ name: string }>('SELECT current_user AS name');
  return rows[0]?.name ?? '';
}

describe('identities', () => {
  test('plain names stay plain, others are quoted as in SQL', () => {
    expect(qualifiedName('public', 'users', 'email')).toBe('public.users.email');
    expect(qualifiedName('public', 'user')).toBe('public.user');
    expect(qualifiedName('public', 'Order Items')).toBe('public."Order Items"');
    expect(qualifiedName('my.schema', 'a"b')).toBe('"my.schema"."a""b"');
    expect(functionKey('public', 'add', 'a integer, b integer')).toBe('public.add(a integer, b integer)');
  });
});
