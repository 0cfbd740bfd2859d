import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { alterObject } from './alter-object.js';

const PRIOR = `CREATE TABLE orders (id int PRIMARY KEY, note text);
COMMENT ON TABLE orders IS 'purchases';
COMMENT ON COLUMN orders.note IS 'free text';
CREATE TABLE secured (id int);
ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TABLE logs (id int);
CREATE DOMAIN email AS text;
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
CREATE SCHEMA archive;
CREATE TABLE events (id int, at int) PARTITION BY RANGE (at);
CREATE TRIGGER audit AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TABLE counters (id serial);
CREATE RULE keep AS ON DELETE TO logs DO INSTEAD NOTHING;
GRANT SELECT ON orders TO PUBLIC;`;

ruleTester(alterObject, [
  {
    sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'nothing to undo',
    },
  },
  {
    sql: 'ALTER TABLE orders INHERIT base;',
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders NO INHERIT public.base;'],
    },
  },
  {
    sql: 'ALTER TABLE orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;',
    expect: {
      object: 'public.orders.id', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders ALTER COLUMN id DROP IDENTITY;'],
    },
  },
  {
    sql: 'ALTER TABLE users SET SCHEMA archive;',
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE archive.users SET SCHEMA public;'],
    },
  },
  {
    sql: 'ALTER FUNCTION app.f(int) SET SCHEMA util;',
    expect: {
      object: 'app.f', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER FUNCTION util.f(integer) SET SCHEMA app;'],
    },
  },
  {
    sql: 'ALTER EXTENSION hstore SET SCHEMA util;',
    expect: { object: 'hstore', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE \'%@%\');',
    expect: {
      object: 'public.email', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER DOMAIN public.email DROP CONSTRAINT has_at;'],
    },
  },
  {
    sql: 'ALTER DOMAIN email DROP CONSTRAINT has_at;',
    expect: { object: 'public.email', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER DOMAIN email SET NOT NULL;',
    expect: { object: 'public.email', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER DOMAIN email SET NOT NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.email', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER DOMAIN public.email DROP NOT NULL;'],
    },
  },
  {
    name: 'ALTER TYPE … ADD ATTRIBUTE is alter-object\'s, not add-column\'s',
    sql: 'ALTER TYPE address ADD ATTRIBUTE zip text;',
    expect: {
      object: 'public.address.zip', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TYPE public.address DROP ATTRIBUTE zip;'],
    },
  },
  {
    sql: 'ALTER DATABASE app SET timezone TO \'UTC\';',
    expect: { object: 'app', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users OF person_type;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'GRANT reporting TO alice, "Bob";',
    expect: { object: 'reporting', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
    expect: {
      object: 'public.orders', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'may have been so already',
    },
  },
  {
    sql: 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders DISABLE ROW LEVEL SECURITY;'],
    },
  },
  {
    sql: 'ALTER TABLE secured ENABLE ROW LEVEL SECURITY;',
    prior: PRIOR,
    expect: { object: 'public.secured', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'already so' },
  },
  {
    sql: 'ALTER TABLE orders FORCE ROW LEVEL SECURITY;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders NO FORCE ROW LEVEL SECURITY;'],
    },
  },
  {
    sql: 'ALTER TABLE orders DISABLE TRIGGER audit;',
    expect: { object: 'public.orders', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE orders DISABLE TRIGGER audit;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders ENABLE TRIGGER audit;'],
    },
  },
  {
    sql: 'ALTER TABLE orders DISABLE TRIGGER missing;',
    prior: PRIOR,
    expect: { object: 'public.orders', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'ALTER TABLE orders SET UNLOGGED;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders SET LOGGED;'],
    },
  },
  {
    sql: 'ALTER TABLE logs SET LOGGED;',
    prior: PRIOR,
    expect: { object: 'public.logs', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'ALTER TABLE missing SET UNLOGGED;',
    prior: PRIOR,
    expect: { object: 'public.missing', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    name: 'a table with an owned sequence of the same persistence: SET LOGGED restores both',
    sql: 'ALTER TABLE counters SET UNLOGGED;',
    prior: PRIOR,
    expect: {
      object: 'public.counters', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.counters SET LOGGED;'],
    },
  },
  {
    name: 'a partitioned table: the statement also sets its partitions\' triggers',
    sql: 'ALTER TABLE events DISABLE TRIGGER audit;',
    prior: PRIOR,
    expect: { object: 'public.events', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'ALTER TABLE logs DISABLE RULE keep;',
    prior: PRIOR,
    expect: {
      object: 'public.logs', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.logs ENABLE RULE keep;'],
    },
  },
  {
    sql: 'ALTER DOMAIN missing SET NOT NULL;',
    prior: PRIOR,
    expect: { object: 'public.missing', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'GRANT SELECT, UPDATE (email) ON users, app.orders TO reporting, PUBLIC;',
    expect: {
      object: 'public.users, app.orders', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'which privileges the roles held before',
    },
  },
  {
    name: 'a privilege already held: nothing to undo',
    sql: 'GRANT SELECT ON orders TO PUBLIC;',
    prior: PRIOR,
    expect: { object: 'public.orders', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'GRANT UPDATE ON orders TO PUBLIC;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['REVOKE UPDATE ON TABLE public.orders FROM PUBLIC;'],
    },
  },
  {
    sql: 'REVOKE SELECT ON orders FROM PUBLIC;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['GRANT SELECT ON TABLE public.orders TO PUBLIC;'],
    },
  },
  {
    sql: 'REVOKE EXECUTE ON FUNCTION f(int) FROM PUBLIC;',
    prior: PRIOR,
    expect: {
      object: 'public.f(integer)', verdict: 'safe', evidence: 'catalog',
      rollback: ['GRANT EXECUTE ON FUNCTION public.f(integer) TO PUBLIC;'],
    },
  },
  {
    sql: 'GRANT USAGE ON SCHEMA archive TO PUBLIC;',
    prior: PRIOR,
    expect: {
      object: 'archive', verdict: 'safe', evidence: 'catalog',
      rollback: ['REVOKE USAGE ON SCHEMA archive FROM PUBLIC;'],
    },
  },
  {
    sql: 'GRANT SELECT ON missing TO PUBLIC;',
    prior: PRIOR,
    expect: { object: 'public.missing', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;',
    expect: { object: 'public', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'COMMENT ON COLUMN users.email IS \'primary address\';',
    expect: {
      object: 'public.users.email', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'prior setting cannot be restored',
    },
  },
  {
    sql: 'COMMENT ON TABLE orders IS \'orders\';',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['COMMENT ON TABLE public.orders IS \'purchases\';'],
      reason: 'previous comment is restored',
    },
  },
  {
    sql: 'COMMENT ON COLUMN orders.note IS NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.note', verdict: 'safe', evidence: 'catalog',
      rollback: ['COMMENT ON COLUMN public.orders.note IS \'free text\';'],
    },
  },
  {
    name: 'a column that had no comment: the comment is removed again',
    sql: 'COMMENT ON COLUMN orders.id IS \'key\';',
    prior: PRIOR,
    expect: {
      object: 'public.orders.id', verdict: 'safe', evidence: 'catalog',
      rollback: ['COMMENT ON COLUMN public.orders.id IS NULL;'],
    },
  },
  {
    sql: 'COMMENT ON TABLE missing IS \'x\';',
    prior: PRIOR,
    expect: { object: 'public.missing', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users OWNER TO app;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    name: 'the previous owner comes back from the prior schema',
    sql: 'ALTER TABLE orders OWNER TO app;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders OWNER TO postgres;'],
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER SEQUENCE s RESTART WITH 100;',
    expect: { object: 'public.s', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER EXTENSION postgis UPDATE;',
    expect: { object: 'postgis', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email SET COMPRESSION lz4;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'SECURITY LABEL ON TABLE users IS \'secret\';',
    expect: { object: 'sec label', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
