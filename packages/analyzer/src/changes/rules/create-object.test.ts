import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { createObject } from './create-object.js';

const PRIOR = `CREATE SEQUENCE order_numbers;
CREATE EXTENSION citext;
CREATE SCHEMA billing;
CREATE MATERIALIZED VIEW stats AS SELECT 1 AS one;
CREATE FOREIGN DATA WRAPPER dummy;
CREATE SERVER remote FOREIGN DATA WRAPPER dummy;
CREATE FOREIGN TABLE remote_users (id int) SERVER remote;`;

ruleTester(createObject, [
  {
    sql: 'CREATE SEQUENCE order_numbers;',
    expect: {
      object: 'public.order_numbers', verdict: 'safe', evidence: 'static',
      rollback: ['DROP SEQUENCE public.order_numbers;'],
      reason: 'holds no application data',
    },
  },
  {
    sql: 'CREATE VIEW active_users AS SELECT * FROM users;',
    expect: {
      object: 'public.active_users', verdict: 'safe', evidence: 'static',
      rollback: ['DROP VIEW public.active_users;'],
    },
  },
  {
    sql: 'CREATE MATERIALIZED VIEW stats AS SELECT 1;',
    expect: {
      object: 'public.stats', verdict: 'safe', evidence: 'static',
      rollback: ['DROP MATERIALIZED VIEW public.stats;'],
    },
  },
  {
    name: 'a function is dropped by its argument types (OUT parameters are not part of them)',
    sql: 'CREATE FUNCTION add(a integer, b integer, OUT total integer) LANGUAGE sql AS $$ SELECT a + b $$;',
    expect: {
      object: 'public.add', verdict: 'safe', evidence: 'static',
      rollback: ['DROP FUNCTION public.add(integer, integer);'],
    },
  },
  {
    sql: 'CREATE PROCEDURE app.tidy(days int) LANGUAGE sql AS $$ SELECT 1 $$;',
    expect: { object: 'app.tidy', verdict: 'safe', evidence: 'static', rollback: ['DROP PROCEDURE app.tidy(integer);'] },
  },
  {
    sql: 'CREATE TRIGGER set_updated BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();',
    expect: {
      object: 'public.users.set_updated', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TRIGGER set_updated ON public.users;'],
    },
  },
  {
    sql: 'CREATE TYPE mood AS ENUM (\'sad\', \'ok\');',
    expect: { object: 'public.mood', verdict: 'safe', evidence: 'static', rollback: ['DROP TYPE public.mood;'] },
  },
  {
    sql: 'CREATE TYPE floatrange AS RANGE (subtype = float8);',
    expect: {
      object: 'public.floatrange', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TYPE public.floatrange;'],
    },
  },
  {
    sql: 'CREATE TYPE address AS (street text, zip text);',
    expect: { object: 'public.address', verdict: 'safe', evidence: 'static', rollback: ['DROP TYPE public.address;'] },
  },
  {
    sql: 'CREATE DOMAIN email AS text CHECK (VALUE LIKE \'%@%\');',
    expect: { object: 'public.email', verdict: 'safe', evidence: 'static', rollback: ['DROP DOMAIN public.email;'] },
  },
  {
    sql: 'CREATE COLLATION german (provider = icu, locale = \'de\');',
    expect: {
      object: 'public.german', verdict: 'safe', evidence: 'static',
      rollback: ['DROP COLLATION public.german;'],
    },
  },
  {
    sql: 'CREATE EXTENSION pg_trgm;',
    expect: { object: 'pg_trgm', verdict: 'safe', evidence: 'static', rollback: ['DROP EXTENSION pg_trgm;'] },
  },
  {
    sql: 'CREATE SCHEMA billing;',
    expect: { object: 'billing', verdict: 'safe', evidence: 'static', rollback: ['DROP SCHEMA billing;'] },
  },
  {
    sql: 'CREATE POLICY own_rows ON orders USING (user_id = current_user_id());',
    expect: {
      object: 'public.orders.own_rows', verdict: 'safe', evidence: 'static',
      rollback: ['DROP POLICY own_rows ON public.orders;'],
    },
  },
  {
    sql: 'CREATE RULE no_delete AS ON DELETE TO orders DO INSTEAD NOTHING;',
    expect: {
      object: 'public.orders.no_delete', verdict: 'safe', evidence: 'static',
      rollback: ['DROP RULE no_delete ON public.orders;'],
    },
  },
  {
    sql: 'CREATE STATISTICS s1 ON a, b FROM t;',
    expect: { object: 'public.s1', verdict: 'safe', evidence: 'static', rollback: ['DROP STATISTICS public.s1;'] },
  },
  {
    name: 'unnamed statistics: risky',
    sql: 'CREATE STATISTICS ON a, b FROM t;',
    expect: { object: '(unnamed)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'CREATE FOREIGN TABLE remote_orders (id int) SERVER remote;',
    expect: {
      object: 'public.remote_orders', verdict: 'safe', evidence: 'static',
      rollback: ['DROP FOREIGN TABLE public.remote_orders;'],
    },
  },
  {
    sql: 'CREATE EVENT TRIGGER audit ON ddl_command_end EXECUTE FUNCTION log_ddl();',
    expect: { object: 'audit', verdict: 'safe', evidence: 'static', rollback: ['DROP EVENT TRIGGER audit;'] },
  },
  {
    sql: 'CREATE PUBLICATION everything FOR ALL TABLES;',
    expect: { object: 'everything', verdict: 'safe', evidence: 'static', rollback: ['DROP PUBLICATION everything;'] },
  },
  {
    sql: 'CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw;',
    expect: { object: 'remote', verdict: 'safe', evidence: 'static', rollback: ['DROP SERVER remote;'] },
  },
  {
    sql: 'CREATE FOREIGN DATA WRAPPER dummy;',
    expect: { object: 'dummy', verdict: 'safe', evidence: 'static', rollback: ['DROP FOREIGN DATA WRAPPER dummy;'] },
  },
  {
    sql: 'CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);',
    expect: {
      object: 'public.my_sum', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'cannot write the statement that drops',
    },
  },
  {
    sql: 'CREATE CAST (text AS mood) WITH INOUT;',
    expect: { object: 'cast', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'CREATE ROLE reporting;',
    expect: { object: 'reporting', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto;',
    expect: {
      object: 'pgcrypto', verdict: 'risky', evidence: 'static',
      rollback: ['DROP EXTENSION pgcrypto;'],
      reason: 'may have existed',
    },
  },
  {
    sql: 'CREATE EXTENSION IF NOT EXISTS citext;',
    prior: PRIOR,
    expect: { object: 'citext', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto;',
    prior: PRIOR,
    expect: {
      object: 'pgcrypto', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP EXTENSION pgcrypto;'],
      reason: 'did not exist before',
    },
  },
  {
    sql: 'CREATE SEQUENCE IF NOT EXISTS order_numbers;',
    prior: PRIOR,
    expect: { object: 'public.order_numbers', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    name: 'CREATE SCHEMA IF NOT EXISTS without the prior schema: the drop may remove what existed, and the script says INCOMPLETE',
    sql: 'CREATE SCHEMA IF NOT EXISTS billing;',
    expect: { object: 'billing', verdict: 'risky', evidence: 'static', rollback: ['DROP SCHEMA billing;'], reason: 'may have existed', incomplete: 'may have existed' },
  },
  {
    sql: 'CREATE SCHEMA IF NOT EXISTS billing;',
    prior: PRIOR,
    expect: { object: 'billing', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'CREATE SCHEMA IF NOT EXISTS reporting;',
    prior: PRIOR,
    expect: { object: 'reporting', verdict: 'safe', evidence: 'catalog', rollback: ['DROP SCHEMA reporting;'] },
  },
  {
    sql: 'CREATE MATERIALIZED VIEW IF NOT EXISTS stats AS SELECT 1;',
    prior: PRIOR,
    expect: { object: 'public.stats', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'CREATE FOREIGN TABLE IF NOT EXISTS remote_users (id int) SERVER remote;',
    prior: PRIOR,
    expect: { object: 'public.remote_users', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    name: 'IF NOT EXISTS without a prior-schema look-up for the kind: risky',
    sql: 'CREATE STATISTICS IF NOT EXISTS s1 ON a, b FROM t;',
    prior: PRIOR,
    expect: { object: 'public.s1', verdict: 'risky', evidence: 'static', rollback: ['DROP STATISTICS public.s1;'] },
  },
  {
    sql: 'CREATE SERVER IF NOT EXISTS remote FOREIGN DATA WRAPPER postgres_fdw;',
    expect: { object: 'remote', verdict: 'risky', evidence: 'static', rollback: ['DROP SERVER remote;'] },
  },
]);
