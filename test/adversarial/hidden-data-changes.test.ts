/**
 * Class 1 of issue 10: data changes the recogniser does not see. A data-modifying CTE runs whatever the
 * outer statement is; EXPLAIN ANALYZE runs its statement; functions called by a query run (nextval moves a
 * sequence, and a sequence never moves back).
 */
import { afterAll, describe, it } from 'vitest';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const CASES: AdversarialCase[] = [
  {
    name: 'DELETE in a CTE under a SELECT (the issue)',
    setup: APP,
    migration: 'WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d;',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'UPDATE in a CTE under an INSERT into a table the migration creates',
    setup: APP,
    migration: 'CREATE TABLE wiped (id int);\nWITH d AS (UPDATE users SET email = NULL WHERE id < 3 RETURNING id) INSERT INTO wiped SELECT id FROM d;',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.users' }],
  },
  {
    name: 'DELETE in a CTE on top of an UPDATE of a created table',
    setup: APP,
    migration: 'CREATE TABLE counters (n int);\nWITH d AS (DELETE FROM orders WHERE id > 3 RETURNING id) UPDATE counters SET n = (SELECT count(*) FROM d);',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'SELECT … INTO a temporary table from a DELETE',
    setup: APP,
    migration: 'WITH d AS (DELETE FROM orders RETURNING *) SELECT * INTO TEMP TABLE removed FROM d;',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'CREATE TEMP TABLE … AS with an UPDATE in its CTE',
    setup: APP,
    migration: "CREATE TEMP TABLE renamed AS WITH u AS (UPDATE users SET name = 'x' RETURNING id) SELECT id FROM u;",
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.users' }],
  },
  {
    name: 'MERGE in a CTE',
    setup: APP,
    migration: 'WITH m AS (MERGE INTO orders o USING users u ON o.user_id = u.id WHEN MATCHED THEN DELETE RETURNING o.id) SELECT count(*) FROM m;',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'EXPLAIN ANALYZE of a DELETE runs it',
    setup: APP,
    migration: 'EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM orders WHERE id = 1;',
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'COPY of a DELETE … RETURNING',
    setup: APP,
    migration: "COPY (DELETE FROM orders WHERE id = 2 RETURNING *) TO '/dev/null';",
    expect: 'not-safe',
    reports: [{ kind: 'data_change', object: 'public.orders' }],
  },
  {
    name: 'a materialized view whose query moves a sequence',
    setup: APP,
    migration: "CREATE MATERIALIZED VIEW next_ticket AS SELECT nextval('ticket_seq') AS n;",
    expect: 'not-safe',
  },
  {
    name: 'rows inserted into a created table from nextval of an existing sequence',
    setup: APP,
    migration: "CREATE TABLE tickets (n bigint);\nINSERT INTO tickets SELECT nextval('ticket_seq') FROM generate_series(1, 3);",
    expect: 'not-safe',
  },
  {
    name: 'control: CREATE TABLE … AS … WITH NO DATA does not run its query',
    setup: APP,
    migration: 'CREATE TABLE order_shape AS SELECT * FROM orders WITH NO DATA;',
    expect: 'safe-with-prior',
  },
];

describe('class 1: data changes hidden inside other statements', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });
});
