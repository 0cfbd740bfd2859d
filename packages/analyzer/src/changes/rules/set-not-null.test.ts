import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { setNotNull } from './set-not-null.js';

const PRIOR = 'CREATE TABLE users (id int, email text, nickname text NOT NULL);';

ruleTester(setNotNull, [
  {
    name: 'a column the prior schema lacks: whether it was NOT NULL is unknown, risky',
    sql: 'ALTER TABLE users ALTER COLUMN missing SET NOT NULL;',
    prior: PRIOR,
    expect: { object: 'public.users.missing', verdict: 'risky', evidence: 'catalog', rollback: [], reason: 'the column is not in the prior schema' },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    expect: {
      object: 'public.users.email', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'may already have been NOT NULL',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.users.email', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;'],
      reason: 'Run it before deploying the old application version',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.users.nickname', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'already NOT NULL',
    },
  },
  {
    name: 'on a column the migration adds: undone with it',
    sql: `ALTER TABLE users ADD COLUMN role text;
ALTER TABLE users ALTER COLUMN role SET NOT NULL;`,
    expect: {
      object: 'public.users.role', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'Undone with the column public.users.role',
    },
  },
]);
