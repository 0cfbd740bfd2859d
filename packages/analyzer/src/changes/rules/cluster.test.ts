import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { cluster } from './cluster.js';

const PRIOR = `CREATE TABLE users (id int PRIMARY KEY, email text);
CREATE INDEX users_email ON users (email);
CREATE TABLE orders (id int PRIMARY KEY);
CREATE INDEX orders_id ON orders (id);
CLUSTER orders USING orders_pkey;`;

ruleTester(cluster, [
  {
    name: 'a plain CLUSTER reorders rows under the existing mark: no change',
    sql: 'CLUSTER users; CLUSTER;',
    expect: [],
  },
  {
    sql: 'CLUSTER users USING users_email;',
    expect: {
      object: 'public.users', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'previous mark cannot be restored',
    },
  },
  {
    sql: 'ALTER TABLE users CLUSTER ON users_email;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users SET WITHOUT CLUSTER;',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    name: 'no index was clustered before: SET WITHOUT CLUSTER',
    sql: 'CLUSTER users USING users_email;',
    prior: PRIOR,
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users SET WITHOUT CLUSTER;'],
      reason: 'no index had it before',
    },
  },
  {
    name: 'another index was clustered: CLUSTER ON it again',
    sql: 'ALTER TABLE orders CLUSTER ON orders_id;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders CLUSTER ON orders_pkey;'],
    },
  },
  {
    sql: 'CLUSTER orders USING orders_pkey;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'was already the clustered index',
    },
  },
  {
    sql: 'ALTER TABLE users SET WITHOUT CLUSTER;',
    prior: PRIOR,
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'no index was clustered before',
    },
  },
  {
    sql: 'ALTER TABLE orders SET WITHOUT CLUSTER;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders CLUSTER ON orders_pkey;'],
    },
  },
  {
    sql: 'CLUSTER missing USING missing_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.missing', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
]);
