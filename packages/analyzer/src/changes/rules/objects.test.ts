import { describe, expect, it } from 'vitest';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('create-object', () => {
  it.each([
    ['CREATE SEQUENCE order_numbers;', 'DROP SEQUENCE public.order_numbers;'],
    ['CREATE VIEW active_users AS SELECT * FROM users;', 'DROP VIEW public.active_users;'],
    ['CREATE MATERIALIZED VIEW stats AS SELECT 1;', 'DROP MATERIALIZED VIEW public.stats;'],
    [
      'CREATE FUNCTION add(a integer, b integer, OUT total integer) LANGUAGE sql AS $$ SELECT a + b $$;',
      'DROP FUNCTION public.add(integer, integer);',
    ],
    ['CREATE PROCEDURE app.tidy(days int) LANGUAGE sql AS $$ SELECT 1 $$;', 'DROP PROCEDURE app.tidy(integer);'],
    [
      'CREATE TRIGGER set_updated BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();',
      'DROP TRIGGER set_updated ON public.users;',
    ],
    ["CREATE TYPE mood AS ENUM ('sad', 'ok');", 'DROP TYPE public.mood;'],
    ['CREATE TYPE address AS (street text, zip text);', 'DROP TYPE public.address;'],
    ['CREATE DOMAIN email AS text CHECK (VALUE LIKE \'%@%\');', 'DROP DOMAIN public.email;'],
    ['CREATE EXTENSION pg_trgm;', 'DROP EXTENSION pg_trgm;'],
    ['CREATE SCHEMA billing;', 'DROP SCHEMA billing;'],
    ['CREATE POLICY own_rows ON orders USING (user_id = current_user_id());', 'DROP POLICY own_rows ON public.orders;'],
    ['CREATE STATISTICS s1 ON a, b FROM t;', 'DROP STATISTICS public.s1;'],
  ])('%s is dropped by %s', (sql, drop) => {
    expect(onlyChange(sql)).toMatchObject({ kind: 'create_object', verdict: 'safe', rollback: [drop] });
  });

  it('is risky with IF NOT EXISTS, which may not have created anything', () => {
    expect(onlyChange('CREATE EXTENSION IF NOT EXISTS pgcrypto;')).toMatchObject({ verdict: 'risky', rollback: ['DROP EXTENSION pgcrypto;'] });
  });

  it('is risky for an object kind it has no DROP for', () => {
    expect(onlyChange('CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);')).toMatchObject({ kind: 'create_object', verdict: 'risky', rollback: [] });
  });
});

describe('replace-object', () => {
  it('CREATE OR REPLACE needs the previous definition', () => {
    expect(onlyChange('CREATE OR REPLACE VIEW v AS SELECT 1;')).toMatchObject({ kind: 'replace_object', object: 'public.v', verdict: 'risky' });
    expect(onlyChange('CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;').kind).toBe('replace_object');
  });
});

describe('drop-object', () => {
  it('is risky (definition needed) for objects without data', () => {
    const changes = changesOf('DROP VIEW v; DROP FUNCTION f(int); DROP TRIGGER t ON users; DROP SEQUENCE s;');
    expect(changes.map((c) => [c.kind, c.object, c.verdict])).toEqual([
      ['drop_object', 'public.v', 'risky'],
      ['drop_object', 'public.f', 'risky'],
      ['drop_object', 'public.users.t', 'risky'],
      ['drop_object', 'public.s', 'risky'],
    ]);
    expect(changes[3]!.reason).toMatch(/position/);
  });

  it('is irreversible when CASCADE drops columns or tables with their data', () => {
    expect(onlyChange('DROP SCHEMA legacy CASCADE;').verdict).toBe('irreversible');
    expect(onlyChange('DROP TYPE mood CASCADE;').verdict).toBe('irreversible');
    expect(onlyChange('DROP VIEW v CASCADE;').verdict).toBe('risky');
  });
});

describe('add-enum-value', () => {
  it('is risky: Postgres cannot drop an enum value', () => {
    const change = onlyChange("ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';");
    expect(change).toMatchObject({ kind: 'add_enum_value', object: 'public.mood', verdict: 'risky', rollback: [] });
    expect(change.reason).toMatch(/cannot drop an enum value/);
  });
});

describe('alter-object', () => {
  it.each([
    ['ALTER TABLE orders ENABLE ROW LEVEL SECURITY;', 'ALTER TABLE public.orders DISABLE ROW LEVEL SECURITY;'],
    ['ALTER TABLE orders DISABLE TRIGGER audit;', 'ALTER TABLE public.orders ENABLE TRIGGER audit;'],
    ['ALTER TABLE orders SET UNLOGGED;', 'ALTER TABLE public.orders SET LOGGED;'],
    ['ALTER TABLE orders INHERIT base;', 'ALTER TABLE public.orders NO INHERIT public.base;'],
    ['ALTER TABLE orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;', 'ALTER TABLE public.orders ALTER COLUMN id DROP IDENTITY;'],
    ['GRANT SELECT, UPDATE (email) ON users, app.orders TO reporting, PUBLIC;', 'REVOKE SELECT, UPDATE (email) ON TABLE public.users, app.orders FROM reporting, PUBLIC;'],
    ['REVOKE EXECUTE ON FUNCTION f(int) FROM PUBLIC;', 'GRANT EXECUTE ON FUNCTION public.f(integer) TO PUBLIC;'],
    ['ALTER TABLE users SET SCHEMA archive;', 'ALTER TABLE archive.users SET SCHEMA public;'],
    ['ALTER FUNCTION app.f(int) SET SCHEMA util;', 'ALTER FUNCTION util.f(integer) SET SCHEMA app;'],
    ['ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE \'%@%\');', 'ALTER DOMAIN public.email DROP CONSTRAINT has_at;'],
    ['GRANT reporting TO alice, "Bob";', 'REVOKE reporting FROM alice, "Bob";'],
  ])('%s is undone by %s', (sql, inverse) => {
    expect(onlyChange(sql)).toMatchObject({ kind: 'alter_object', verdict: 'safe', rollback: [inverse] });
  });

  it.each([
    // Without the prior schema, the parent's indexes, keys and triggers that DETACH would leave behind are unknown.
    ['ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);', ['ALTER TABLE public.events DETACH PARTITION public.events_2026;'], /DETACH leaves those behind/],
    ['ALTER INDEX events_at ATTACH PARTITION events_2026_at;', [], /cannot be detached/],
    ['ALTER TABLE child NO INHERIT base;', ['ALTER TABLE public.child INHERIT public.base;'], /INHERIT restores the inheritance but not that/],
    ['CLUSTER users USING users_email;', [], /previous mark cannot be restored/],
    ['ALTER TABLE users REPLICA IDENTITY FULL;', [], /previous setting cannot be restored/],
    ['REFRESH MATERIALIZED VIEW totals WITH NO DATA;', [], /whether it was populated is unknown/],
  ])('%s is undone only in part, or not at all: risky', (sql, rollback, reason) => {
    const change = onlyChange(sql);
    expect(change).toMatchObject({ kind: 'alter_object', verdict: 'risky', rollback });
    expect(change.reason).toMatch(reason);
  });

  it('CREATE EXTENSION … CASCADE without the prior schema: the extensions it pulled in are unknown', () => {
    const change = onlyChange('CREATE EXTENSION earthdistance CASCADE;');
    expect(change).toMatchObject({ kind: 'create_object', verdict: 'risky', rollback: ['DROP EXTENSION earthdistance;'] });
  });

  it('a plain CLUSTER and a REFRESH with data change nothing to undo', () => {
    expect(changesOf('CLUSTER users; CLUSTER;')).toEqual([]);
    expect(onlyChange('REFRESH MATERIALIZED VIEW CONCURRENTLY totals;')).toMatchObject({ verdict: 'safe', rollback: [] });
  });

  it('VALIDATE CONSTRAINT needs no rollback', () => {
    expect(onlyChange('ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;')).toMatchObject({ verdict: 'safe', rollback: [] });
  });

  it.each([
    ["COMMENT ON COLUMN users.email IS 'primary address';", 'public.users.email'],
    ['ALTER TABLE users OWNER TO app;', 'public.users'],
    ['ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;', 'public.users'],
    ['ALTER SEQUENCE s RESTART WITH 100;', 'public.s'],
    ['GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;', 'public'],
    ['ALTER EXTENSION postgis UPDATE;', 'postgis'],
  ])('%s overwrites a value it does not show: risky', (sql, object) => {
    expect(onlyChange(sql)).toMatchObject({ kind: 'alter_object', object, verdict: 'risky', rollback: [] });
  });
});
