import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { setDefault } from './set-default.js';

const PRIOR = 'CREATE TABLE users (id int, role text DEFAULT \'guest\', email text);';

ruleTester(setDefault, [
  {
    sql: 'ALTER TABLE users ALTER COLUMN role SET DEFAULT \'member\';',
    expect: {
      object: 'public.users.role', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'previous default cannot be restored',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN role SET DEFAULT \'member\';',
    prior: PRIOR,
    expect: {
      object: 'public.users.role', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN role SET DEFAULT \'guest\'::text;'],
      reason: 'default was \'guest\'::text',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email SET DEFAULT \'\';',
    prior: PRIOR,
    expect: {
      object: 'public.users.email', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email DROP DEFAULT;'],
      reason: 'had no default',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN missing SET DEFAULT 1;',
    prior: PRIOR,
    expect: {
      object: 'public.users.missing', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
  {
    name: 'on a column the migration adds: undone with it',
    sql: `ALTER TABLE users ADD COLUMN role text;
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';`,
    expect: {
      object: 'public.users.role', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'Undone with the column public.users.role',
    },
  },
  {
    name: 'a second change of the same column does not trust the migration-level prior',
    sql: 'ALTER TABLE users ALTER COLUMN role DROP DEFAULT, ALTER COLUMN role SET DEFAULT \'x\';',
    prior: PRIOR,
    expect: [
      {
        rule: 'drop-default', object: 'public.users.role', verdict: 'safe', evidence: 'catalog',
        rollback: ['ALTER TABLE public.users ALTER COLUMN role SET DEFAULT \'guest\'::text;'],
      },
      { object: 'public.users.role', verdict: 'risky', evidence: 'static', rollback: [] },
    ],
  },
]);
