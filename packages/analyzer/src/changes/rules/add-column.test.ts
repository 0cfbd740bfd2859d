import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { addColumn } from './add-column.js';

const PRIOR = `CREATE TABLE users (id bigint PRIMARY KEY, name text, email text);
CREATE TABLE events (at timestamptz);`;

ruleTester(addColumn, [
  {
    name: 'seed "No data yet": safe, DROP COLUMN after the old app is deployed',
    sql: 'ALTER TABLE users ADD COLUMN email text;',
    expect: {
      object: 'public.users.email', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.users DROP COLUMN email;'],
      reason: 'Safe to drop until the column holds data',
    },
  },
  {
    name: 'quotes identifiers that need it and keeps the schema',
    sql: 'ALTER TABLE "Billing"."Order Lines" ADD COLUMN "user" integer;',
    expect: {
      object: 'Billing.Order Lines.user', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE "Billing"."Order Lines" DROP COLUMN "user";'],
    },
  },
  {
    name: 'one change per subcommand, each pointing at its column',
    sql: `ALTER TABLE users
  ADD COLUMN a int,
  ADD COLUMN b text;`,
    expect: [
      {
        object: 'public.users.a', at: '2:14', verdict: 'safe', evidence: 'static',
        rollback: ['ALTER TABLE public.users DROP COLUMN a;'],
      },
      {
        object: 'public.users.b', at: '3:14', verdict: 'safe', evidence: 'static',
        rollback: ['ALTER TABLE public.users DROP COLUMN b;'],
      },
    ],
  },
  {
    name: 'follows SET search_path for unqualified names',
    sql: `SET search_path TO app, public;
ALTER TABLE users ADD COLUMN x int;`,
    expect: {
      object: 'app.users.x', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE app.users DROP COLUMN x;'],
    },
  },
  {
    sql: 'ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (a + b) STORED;',
    expect: {
      object: 'public.t.total', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.t DROP COLUMN total;'],
      reason: 'computed',
    },
  },
  {
    sql: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS phone text;',
    expect: {
      object: 'public.users.phone', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.users DROP COLUMN phone;'],
      reason: 'may have existed',
      incomplete: 'may have existed',
    },
  },
  {
    sql: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;',
    prior: PRIOR,
    expect: { object: 'public.users.email', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    name: 'IF NOT EXISTS of a column the prior schema lacks: created, safe (catalog)',
    sql: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS phone text;',
    prior: PRIOR,
    expect: {
      object: 'public.users.phone', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users DROP COLUMN phone;'],
    },
  },
  {
    name: 'a foreign table is altered as one',
    sql: 'ALTER FOREIGN TABLE remote_users ADD COLUMN note text;',
    expect: {
      object: 'public.remote_users.note', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER FOREIGN TABLE public.remote_users DROP COLUMN note;'],
    },
  },
  {
    sql: 'ALTER TABLE users ADD COLUMN phone text;',
    state: 'applied',
    data: { columnHoldsData: 'no' },
    expect: {
      object: 'public.users.phone', verdict: 'safe', evidence: 'data',
      rollback: ['ALTER TABLE public.users DROP COLUMN phone;'],
      reason: 'No data yet → Safe Rollback',
    },
  },
  {
    name: 'seed "Has data": risky, the column backed up first',
    sql: 'ALTER TABLE users ADD COLUMN phone text;',
    state: 'applied',
    data: { columnHoldsData: 'yes' },
    expect: {
      object: 'public.users.phone', verdict: 'risky', evidence: 'data',
      rollback: [
        'CREATE SCHEMA IF NOT EXISTS migcheck_backup;',
        'CREATE TABLE migcheck_backup.users__phone AS SELECT * FROM public.users WHERE phone IS NOT NULL;',
        'ALTER TABLE public.users DROP COLUMN phone;',
      ],
      reason: 'Has data → Data Loss Risk',
    },
  },
  {
    name: 'a data check that timed out is risky, never safe',
    sql: 'ALTER TABLE users ADD COLUMN phone text;',
    state: 'applied',
    data: { columnHoldsData: {"answer":"unknown","method":"timeout","ms":100,"detail":"the check timed out after 100 ms"} },
    expect: {
      object: 'public.users.phone', verdict: 'risky', evidence: 'data',
      rollback: [
        'CREATE SCHEMA IF NOT EXISTS migcheck_backup;',
        'CREATE TABLE migcheck_backup.users__phone AS SELECT * FROM public.users WHERE phone IS NOT NULL;',
        'ALTER TABLE public.users DROP COLUMN phone;',
      ],
    },
  },
  {
    name: 'pending: the column does not exist yet, no data check',
    sql: 'ALTER TABLE users ADD COLUMN phone text;',
    state: 'pending',
    expect: {
      object: 'public.users.phone', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.users DROP COLUMN phone;'],
    },
  },
  {
    name: 'a generated column is never checked for data',
    sql: 'ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (a + b) STORED;',
    state: 'applied',
    expect: {
      object: 'public.t.total', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.t DROP COLUMN total;'],
    },
  },
  {
    name: 'a default that moves a sequence: never safe',
    sql: 'ALTER TABLE users ADD COLUMN phone text DEFAULT nextval(\'s\');',
    expect: {
      object: 'public.users.phone', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.users DROP COLUMN phone;'],
    },
  },
]);
