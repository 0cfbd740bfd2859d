import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropObject } from './drop-object.js';

const PRIOR = `CREATE TABLE users (id int, email text);
CREATE VIEW v AS SELECT id FROM users;
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SEQUENCE s;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE SCHEMA legacy;
CREATE POLICY own ON users USING (id = 1);
CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM users;
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');`;

ruleTester(dropObject, [
  {
    sql: 'DROP VIEW v;',
    expect: { object: 'public.v', verdict: 'risky', evidence: 'static', rollback: [], reason: 'could be recreated' },
  },
  {
    sql: 'DROP FUNCTION f(int);',
    expect: { object: 'public.f', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DROP TRIGGER t ON users;',
    expect: { object: 'public.users.t', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DROP SEQUENCE s;',
    expect: { object: 'public.s', verdict: 'risky', evidence: 'static', rollback: [], reason: 'position' },
  },
  {
    sql: 'DROP MATERIALIZED VIEW totals;',
    expect: { object: 'public.totals', verdict: 'risky', evidence: 'static', rollback: [], reason: 'refresh' },
  },
  {
    name: 'one change per object named',
    sql: 'DROP VIEW v, w;',
    expect: [
      { object: 'public.v', verdict: 'risky', evidence: 'static', rollback: [] },
      { object: 'public.w', verdict: 'risky', evidence: 'static', rollback: [] },
    ],
  },
  {
    sql: 'DROP SCHEMA legacy CASCADE;',
    expect: {
      object: 'legacy', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'with their data',
      options: ['Restore from backup', 'Accept data loss', 'Recreate from logs'],
    },
  },
  {
    sql: 'DROP TYPE mood CASCADE;',
    expect: { object: 'public.mood', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DROP DOMAIN email CASCADE;',
    expect: { object: 'public.email', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DROP EXTENSION hstore CASCADE;',
    expect: { object: 'hstore', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    name: 'CASCADE of a view drops no table data: risky, not irreversible',
    sql: 'DROP VIEW v CASCADE;',
    expect: { object: 'public.v', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DROP VIEW v;',
    prior: PRIOR,
    expect: {
      object: 'public.v', verdict: 'safe', evidence: 'catalog',
      rollback: [
        `CREATE VIEW public.v AS
SELECT id
   FROM public.users;`,
      ],
      reason: 'recreated from its prior definition',
    },
  },
  {
    sql: 'DROP FUNCTION f(int);',
    prior: PRIOR,
    expect: {
      object: 'public.f', verdict: 'safe', evidence: 'catalog',
      rollback: [
        `CREATE OR REPLACE FUNCTION public.f(a integer)
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT a $function$;`,
        'GRANT EXECUTE ON FUNCTION public.f(a integer) TO PUBLIC;',
      ],
    },
  },
  {
    sql: 'DROP TRIGGER t ON users;',
    prior: PRIOR,
    expect: {
      object: 'public.users.t', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE TRIGGER t BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch();',
      ],
    },
  },
  {
    sql: 'DROP POLICY own ON users;',
    prior: PRIOR,
    expect: {
      object: 'public.users.own', verdict: 'safe', evidence: 'catalog',
      rollback: ['CREATE POLICY own ON public.users AS PERMISSIVE FOR ALL TO PUBLIC USING ((id = 1));'],
    },
  },
  {
    sql: 'DROP TYPE mood;',
    prior: PRIOR,
    expect: {
      object: 'public.mood', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE TYPE public.mood AS ENUM (\'sad\', \'ok\');',
        'GRANT USAGE ON TYPE public.mood TO PUBLIC;',
      ],
    },
  },
  {
    sql: 'DROP DOMAIN email;',
    prior: PRIOR,
    expect: {
      object: 'public.email', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE DOMAIN public.email AS text;',
        'ALTER DOMAIN public.email ADD CONSTRAINT email_check CHECK ((VALUE ~~ \'%@%\'::text));',
        'GRANT USAGE ON DOMAIN public.email TO PUBLIC;',
      ],
    },
  },
  {
    sql: 'DROP SCHEMA legacy;',
    prior: PRIOR,
    expect: { object: 'legacy', verdict: 'safe', evidence: 'catalog', rollback: ['CREATE SCHEMA legacy;'] },
  },
  {
    sql: 'DROP MATERIALIZED VIEW totals;',
    prior: PRIOR,
    expect: {
      object: 'public.totals', verdict: 'safe', evidence: 'catalog',
      rollback: [
        `CREATE MATERIALIZED VIEW public.totals AS
SELECT count(*) AS n
   FROM public.users
WITH DATA;`,
      ],
    },
  },
  {
    sql: 'DROP SEQUENCE s;',
    prior: PRIOR,
    expect: {
      object: 'public.s', verdict: 'risky', evidence: 'catalog',
      rollback: [
        'CREATE SEQUENCE public.s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;',
      ],
      reason: 'its position is lost',
    },
  },
  {
    sql: 'DROP VIEW v CASCADE;',
    prior: PRIOR,
    expect: {
      object: 'public.v', verdict: 'risky', evidence: 'catalog',
      rollback: [
        `CREATE VIEW public.v AS
SELECT id
   FROM public.users;`,
      ],
      reason: 'any other object CASCADE dropped (a function using its row type, a rule) is not recreated',
    },
  },
  {
    sql: 'DROP VIEW IF EXISTS gone;',
    prior: PRIOR,
    expect: { object: 'public.gone', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    sql: 'DROP VIEW gone;',
    prior: PRIOR,
    expect: {
      object: 'public.gone', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'cannot rebuild it from the prior schema',
    },
  },
  {
    name: 'another overload than the prior schema holds: risky',
    sql: 'DROP FUNCTION f(text);',
    prior: PRIOR,
    expect: { object: 'public.f', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
]);
