/**
 * Class 7 of issue 10: partial undo. Statements whose obvious inverse leaves something behind (indexes and
 * foreign keys cloned by ATTACH PARTITION, the local flag of inherited columns, extensions pulled in by
 * CASCADE), and statements with a persistent effect that were not reported at all (CLUSTER … USING).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { CONTRIB_REQUIRES } from '../../packages/analyzer/src/changes/rules/create-extension.js';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const EVENTS = `${APP}
CREATE TABLE events (id int, at int, user_id int) PARTITION BY RANGE (at);
CREATE TABLE events_1 (id int, at int, user_id int);
INSERT INTO events_1 VALUES (1, 5, 1);`;

const CASES: AdversarialCase[] = [
  {
    name: 'ATTACH PARTITION creates the parent\'s index on the partition (the issue)',
    setup: `${EVENTS}\nCREATE INDEX events_at ON events (at);`,
    migration: 'ALTER TABLE events ATTACH PARTITION events_1 FOR VALUES FROM (0) TO (10);',
  },
  {
    name: 'ATTACH PARTITION clones the parent\'s foreign key onto the partition',
    setup: `${EVENTS}\nALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id);`,
    migration: 'ALTER TABLE events ATTACH PARTITION events_1 FOR VALUES FROM (0) TO (10);',
  },
  {
    name: 'control: ATTACH PARTITION of a parent with no index, key or trigger',
    setup: EVENTS,
    migration: 'ALTER TABLE events ATTACH PARTITION events_1 FOR VALUES FROM (0) TO (10);',
    expect: 'safe-with-prior',
  },
  {
    name: 'ALTER INDEX … ATTACH PARTITION cannot be detached',
    setup: `${EVENTS}\nCREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (10) TO (20);\nCREATE INDEX events_at ON ONLY events (at);\nCREATE INDEX events_2_at ON events_2 (at);`,
    migration: 'ALTER INDEX events_at ATTACH PARTITION events_2_at;',
    expect: 'not-safe',
  },
  {
    name: 'NO INHERIT makes the inherited columns local (the issue)',
    setup: `${APP}\nCREATE TABLE base (name text, kind text);\nCREATE TABLE child (extra int) INHERITS (base);`,
    migration: 'ALTER TABLE child NO INHERIT base;',
    expect: 'not-safe',
  },
  {
    name: 'control: INHERIT of a table that already has the columns is undone by NO INHERIT',
    setup: `${APP}\nCREATE TABLE base (name text);\nCREATE TABLE child (name text, extra int);`,
    migration: 'ALTER TABLE child INHERIT base;',
    expect: 'safe-with-prior',
  },
  {
    name: 'CREATE EXTENSION … CASCADE pulls in the extensions it requires',
    setup: APP,
    migration: 'CREATE EXTENSION earthdistance CASCADE;',
    expect: 'safe-with-prior',
  },
  {
    name: 'CLUSTER … USING marks the index clustered (the issue)',
    setup: `${APP}\nCREATE INDEX users_email ON users (email);`,
    migration: 'CLUSTER users USING users_email;',
  },
  {
    name: 'CLUSTER … USING moves the clustered mark from another index',
    setup: `${APP}\nCREATE INDEX users_email ON users (email);\nCREATE INDEX users_name ON users (name);\nALTER TABLE users CLUSTER ON users_name;`,
    migration: 'CLUSTER users USING users_email;',
    expect: 'safe-with-prior',
  },
  {
    name: 'ALTER TABLE … SET WITHOUT CLUSTER',
    setup: `${APP}\nCREATE INDEX users_name ON users (name);\nALTER TABLE users CLUSTER ON users_name;`,
    migration: 'ALTER TABLE users SET WITHOUT CLUSTER;',
    expect: 'safe-with-prior',
  },
  {
    name: 'REPLICA IDENTITY',
    setup: `${APP}\nCREATE UNIQUE INDEX users_email_key ON users (email);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users REPLICA IDENTITY USING INDEX users_email_key;`,
    migration: 'ALTER TABLE users REPLICA IDENTITY FULL;',
    expect: 'safe-with-prior',
  },
  {
    name: 'storage parameters',
    setup: `${APP}\nALTER TABLE users SET (fillfactor = 70, autovacuum_enabled = false);`,
    migration: 'ALTER TABLE users SET (fillfactor = 90, toast_tuple_target = 256);',
    expect: 'safe-with-prior',
  },
  {
    name: 'storage parameters reset',
    setup: `${APP}\nALTER TABLE users SET (fillfactor = 70, autovacuum_enabled = false);`,
    migration: 'ALTER TABLE users RESET (autovacuum_enabled, fillfactor);',
    expect: 'safe-with-prior',
  },
  {
    name: 'REFRESH MATERIALIZED VIEW … WITH NO DATA empties it',
    setup: `${APP}\nCREATE MATERIALIZED VIEW user_count AS SELECT count(*) AS n FROM users;`,
    migration: 'REFRESH MATERIALIZED VIEW user_count WITH NO DATA;',
  },
  {
    name: 'ALTER SEQUENCE … RESTART',
    setup: APP,
    migration: 'ALTER SEQUENCE ticket_seq RESTART WITH 100;',
    expect: 'not-safe',
  },
  {
    name: 'control: REINDEX changes nothing persistent',
    setup: `${APP}\nCREATE INDEX users_email ON users (email);`,
    migration: 'REINDEX INDEX users_email;\nALTER TABLE users ADD COLUMN x int;',
    expect: 'safe-with-prior',
  },
];

describe('class 7: rollbacks that undo only part of a change', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });
});

describe('the requirements migcheck knows of the extensions shipped with PostgreSQL', () => {
  it.each(inject('targetServers').map((server) => [server.name, server.url] as const))('match pg_available_extension_versions on %s', async (_name, url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; requires: string[] }>('SELECT DISTINCT name, requires::text[] AS requires FROM pg_available_extension_versions WHERE requires IS NOT NULL');
      for (const { name, requires } of rows) expect(CONTRIB_REQUIRES[name], name).toEqual(requires);
    } finally {
      await client.end();
    }
  });
});
