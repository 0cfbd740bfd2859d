import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { attachPartition } from './attach-partition.js';

const PRIOR = `CREATE TABLE events (id int, at int) PARTITION BY RANGE (at);
CREATE TABLE events_2026 (id int, at int);`;

const PRIOR_INDEXED = `CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE events (id int, at int, user_id int REFERENCES users (id)) PARTITION BY RANGE (at);
CREATE INDEX events_at ON events (at);
CREATE TABLE events_2026 (id int, at int, user_id int);`;

ruleTester(attachPartition, [
  {
    sql: 'ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);',
    expect: {
      object: 'public.events_2026', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.events DETACH PARTITION public.events_2026;'],
      reason: 'DETACH leaves those behind',
    },
  },
  {
    sql: 'ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);',
    prior: PRIOR,
    expect: {
      object: 'public.events_2026', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.events DETACH PARTITION public.events_2026;'],
      reason: 'restores the schema exactly',
    },
  },
  {
    name: 'a parent with indexes and foreign keys: DETACH leaves them behind',
    sql: 'ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);',
    prior: PRIOR_INDEXED,
    expect: {
      object: 'public.events_2026', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.events DETACH PARTITION public.events_2026;'],
      reason: 'index events_at',
    },
  },
  {
    sql: 'ALTER TABLE missing ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);',
    prior: PRIOR,
    expect: {
      object: 'public.events_2026', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.missing DETACH PARTITION public.events_2026;'],
      reason: 'not in the prior schema',
    },
  },
  {
    sql: 'ALTER INDEX events_at ATTACH PARTITION events_2026_at;',
    expect: {
      object: 'public.events_2026_at', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'cannot be detached',
    },
  },
]);
