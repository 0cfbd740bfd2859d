import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropNotNull } from './drop-not-null.js';

const PRIOR = 'CREATE TABLE users (id int, email text NOT NULL, nickname text);';

ruleTester(dropNotNull, [
  {
    name: 'a column the prior schema lacks: whether it was nullable is unknown, risky',
    sql: 'ALTER TABLE users ALTER COLUMN missing DROP NOT NULL;',
    prior: PRIOR,
    expect: { object: 'public.users.missing', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    expect: {
      object: 'public.users.email', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'may already have been nullable',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.users.email', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;'],
      reason: 'while no NULL has been written',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;',
    prior: PRIOR,
    expect: {
      object: 'public.users.nickname', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'already nullable',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    prior: PRIOR,
    state: 'applied',
    data: { nullsPresent: 'no' },
    expect: {
      object: 'public.users.email', verdict: 'safe', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;'],
      reason: 'holds no NULLs',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    prior: PRIOR,
    state: 'applied',
    data: { nullsPresent: 'yes' },
    expect: {
      object: 'public.users.email', verdict: 'risky', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;'],
      reason: 'SET NOT NULL fails until they are replaced',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    prior: PRIOR,
    state: 'applied',
    data: { nullsPresent: 'unknown' },
    expect: {
      object: 'public.users.email', verdict: 'risky', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;'],
    },
  },
  {
    name: 'pending: no data check',
    sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    state: 'pending',
    expect: { object: 'public.users.email', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
