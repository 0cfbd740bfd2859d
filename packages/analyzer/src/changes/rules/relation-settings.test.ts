import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { relationSettings } from './relation-settings.js';

const PRIOR = `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE TABLE orders (id int) WITH (fillfactor = 70, autovacuum_enabled = false);
CREATE TABLE keyed (id int NOT NULL);
CREATE UNIQUE INDEX keyed_id ON keyed (id);
ALTER TABLE keyed REPLICA IDENTITY USING INDEX keyed_id;
CREATE TABLE full_identity (id int);
ALTER TABLE full_identity REPLICA IDENTITY FULL;`;

ruleTester(relationSettings, [
  {
    sql: 'ALTER TABLE users REPLICA IDENTITY FULL;',
    expect: {
      object: 'public.users', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'previous setting cannot be restored',
    },
  },
  {
    sql: 'ALTER TABLE orders SET (fillfactor = 50);',
    expect: { object: 'public.orders', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users REPLICA IDENTITY FULL;',
    prior: PRIOR,
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users REPLICA IDENTITY DEFAULT;'],
      reason: 'previous replica identity (DEFAULT)',
    },
  },
  {
    name: 'a replica identity over an index comes back USING INDEX',
    sql: 'ALTER TABLE keyed REPLICA IDENTITY FULL;',
    prior: PRIOR,
    expect: {
      object: 'public.keyed', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.keyed REPLICA IDENTITY USING INDEX keyed_id;'],
    },
  },
  {
    sql: 'ALTER TABLE full_identity REPLICA IDENTITY DEFAULT;',
    prior: PRIOR,
    expect: {
      object: 'public.full_identity', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.full_identity REPLICA IDENTITY FULL;'],
    },
  },
  {
    sql: 'ALTER TABLE orders SET (fillfactor = 50);',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders RESET (fillfactor), SET (fillfactor = 70);'],
      reason: 'previous values of fillfactor',
    },
  },
  {
    sql: 'ALTER TABLE orders RESET (autovacuum_enabled);',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders RESET (autovacuum_enabled), SET (autovacuum_enabled = false);'],
    },
  },
  {
    name: 'a parameter that was not set before is reset',
    sql: 'ALTER TABLE users SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.1);',
    prior: PRIOR,
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users RESET (fillfactor, autovacuum_vacuum_scale_factor);'],
    },
  },
  {
    sql: 'ALTER TABLE orders SET (toast.autovacuum_enabled = false);',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'toast table\'s parameters',
    },
  },
  {
    sql: 'ALTER TABLE missing SET (fillfactor = 50);',
    prior: PRIOR,
    expect: {
      object: 'public.missing', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
]);
