import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { renameColumn } from './rename-column.js';

ruleTester(renameColumn, [
  {
    sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    expect: {
      object: 'public.users.name', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.users RENAME COLUMN full_name TO name;'],
      reason: 'renaming it back',
    },
  },
  {
    sql: 'ALTER TABLE app."Users" RENAME COLUMN "Name" TO "full name";',
    expect: {
      object: 'app.Users.Name', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE app."Users" RENAME COLUMN "full name" TO "Name";'],
    },
  },
  {
    sql: 'ALTER VIEW v RENAME COLUMN a TO b;',
    expect: {
      object: 'public.v.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER VIEW public.v RENAME COLUMN b TO a;'],
    },
  },
  {
    sql: 'ALTER MATERIALIZED VIEW m RENAME COLUMN a TO b;',
    expect: {
      object: 'public.m.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER MATERIALIZED VIEW public.m RENAME COLUMN b TO a;'],
    },
  },
  {
    sql: 'ALTER FOREIGN TABLE f RENAME COLUMN a TO b;',
    expect: {
      object: 'public.f.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER FOREIGN TABLE public.f RENAME COLUMN b TO a;'],
    },
  },
]);
