import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropDefault } from './drop-default.js';

const PRIOR = 'CREATE TABLE orders (id int, total numeric(10,2) DEFAULT 0 NOT NULL, note text);';

ruleTester(dropDefault, [
  {
    sql: 'ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;',
    expect: {
      object: 'public.orders.total', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'previous default cannot be restored',
    },
  },
  {
    sql: 'ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.total', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders ALTER COLUMN total SET DEFAULT 0;'],
      reason: 'SET DEFAULT restores it',
    },
  },
  {
    sql: 'ALTER TABLE orders ALTER COLUMN note DROP DEFAULT;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.note', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders ALTER COLUMN note DROP DEFAULT;'],
      reason: 'had no default',
    },
  },
  {
    sql: 'ALTER TABLE orders ALTER COLUMN missing DROP DEFAULT;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.missing', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
  {
    name: 'a second change of the same column does not trust the migration-level prior',
    sql: 'ALTER TABLE orders ALTER COLUMN total SET DEFAULT 5, ALTER COLUMN total DROP DEFAULT;',
    prior: PRIOR,
    expect: [
      {
        rule: 'set-default', object: 'public.orders.total', verdict: 'safe', evidence: 'catalog',
        rollback: ['ALTER TABLE public.orders ALTER COLUMN total SET DEFAULT 0;'],
      },
      { object: 'public.orders.total', verdict: 'risky', evidence: 'static', rollback: [] },
    ],
  },
]);
