import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { replaceObject } from './replace-object.js';

const PRIOR = `CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2) DEFAULT 0 NOT NULL, note text);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE VIEW biggest_orders AS SELECT id FROM big_orders WHERE total > 1000;
CREATE VIEW lonely AS SELECT 1 AS one;
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();`;

ruleTester(replaceObject, [
  {
    sql: 'CREATE OR REPLACE VIEW v AS SELECT 1;',
    expect: { object: 'public.v', verdict: 'risky', evidence: 'static', rollback: [], reason: 'cannot be restored' },
  },
  {
    sql: 'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
    expect: { object: 'public.f', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'CREATE OR REPLACE VIEW lonely AS SELECT 2 AS one;',
    prior: PRIOR,
    expect: {
      object: 'public.lonely', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'DROP VIEW public.lonely;',
        `CREATE VIEW public.lonely AS
SELECT 1 AS one;`,
      ],
      reason: 'previous definition is restored',
    },
  },
  {
    name: 'a replaced view that other views depend on cannot simply be dropped and recreated: risky',
    sql: 'CREATE OR REPLACE VIEW big_orders AS SELECT id, total, note FROM orders WHERE total > 100;',
    prior: PRIOR,
    expect: {
      object: 'public.big_orders', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'public.biggest_orders depends on it',
    },
  },
  {
    name: 'a function is replaced back in place',
    sql: 'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;',
    prior: PRIOR,
    expect: {
      object: 'public.f', verdict: 'safe', evidence: 'catalog',
      rollback: [
        `CREATE OR REPLACE FUNCTION public.f(a integer)
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT 1 $function$;`,
        'GRANT EXECUTE ON FUNCTION public.f(a integer) TO PUBLIC;',
      ],
    },
  },
  {
    name: 'as many arguments as a routine of the prior schema, of other types: a new overload, dropped',
    sql: 'CREATE OR REPLACE FUNCTION f(a text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;',
    prior: PRIOR,
    expect: { object: 'public.f', verdict: 'safe', evidence: 'catalog', rollback: ['DROP FUNCTION public.f(text);'], reason: 'did not exist before' },
  },
  ...['int4', 'pg_catalog.int4', 'INTEGER'].map((spelling) => ({
    name: `the prior routine's argument type spelt ${spelling}: the same routine, never dropped`,
    sql: `CREATE OR REPLACE FUNCTION f(a ${spelling}) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;`,
    prior: PRIOR,
    expect: { object: 'public.f', verdict: 'safe' as const, evidence: 'catalog' as const, rollback: [`CREATE OR REPLACE FUNCTION public.f(a integer)
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT 1 $function$;`, 'GRANT EXECUTE ON FUNCTION public.f(a integer) TO PUBLIC;'] },
  })),
  {
    name: 'a new overload with another number of arguments did not exist before: dropped',
    sql: 'CREATE OR REPLACE FUNCTION f(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;',
    prior: PRIOR,
    expect: {
      object: 'public.f', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP FUNCTION public.f(integer, integer);'],
      reason: 'did not exist before',
    },
  },
  {
    sql: 'CREATE OR REPLACE VIEW fresh AS SELECT 1 AS one;',
    prior: PRIOR,
    expect: { object: 'public.fresh', verdict: 'safe', evidence: 'catalog', rollback: ['DROP VIEW public.fresh;'] },
  },
  {
    sql: 'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;',
    prior: PRIOR,
    expect: { object: 'public.p', verdict: 'safe', evidence: 'catalog', rollback: ['DROP PROCEDURE public.p();'] },
  },
  {
    sql: 'CREATE OR REPLACE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();',
    prior: PRIOR,
    expect: {
      object: 'public.orders.t', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'DROP TRIGGER t ON public.orders;',
        'CREATE TRIGGER t BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();',
      ],
    },
  },
  {
    sql: 'CREATE OR REPLACE TRIGGER t2 BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();',
    prior: PRIOR,
    expect: {
      object: 'public.orders.t2', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP TRIGGER t2 ON public.orders;'],
    },
  },
  {
    sql: 'CREATE OR REPLACE RULE r AS ON DELETE TO orders DO INSTEAD NOTHING;',
    prior: PRIOR,
    expect: { object: 'public.orders.r', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'CREATE OR REPLACE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);',
    prior: PRIOR,
    expect: {
      object: 'public.my_sum', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'cannot rebuild its previous definition',
    },
  },
  {
    name: 'the same-object guard tells overloads apart (both read the prior schema)',
    sql: `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE OR REPLACE FUNCTION f(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;`,
    prior: PRIOR,
    expect: [
      {
        object: 'public.f', verdict: 'safe', evidence: 'catalog',
        rollback: [
          `CREATE OR REPLACE FUNCTION public.f(a integer)
 RETURNS integer
 LANGUAGE sql
AS $function$ SELECT 1 $function$;`,
          'GRANT EXECUTE ON FUNCTION public.f(a integer) TO PUBLIC;',
        ],
      },
      {
        object: 'public.f', verdict: 'safe', evidence: 'catalog',
        rollback: ['DROP FUNCTION public.f(integer, integer);'],
      },
    ],
  },
]);
