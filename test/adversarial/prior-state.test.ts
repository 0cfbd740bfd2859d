/**
 * Class 3 of issue 10: inverses that ignore the prior state. GRANT/REVOKE, row security, trigger and rule
 * firing, persistence, a domain's NOT NULL and the owner are restored exactly as the prior schema had them;
 * the opposite statement alone is no rollback (a REVOKE of a privilege that existed before takes it from the
 * old application), so without the prior schema these are risky.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

// Roles are cluster-wide: made once, with names of their own, and kept (other runs may use them at the same time).
const ROLES = ['mc_c3_app', 'mc_c3_reader', 'mc_c3_owner', 'mc_c3_other'];
beforeAll(async () => {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    for (const role of ROLES) {
      await client.query(`DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    }
  } finally {
    await client.end();
  }
});

const GRANTED = `${APP}
GRANT SELECT ON users TO mc_c3_app;
GRANT SELECT, UPDATE ON orders TO mc_c3_app WITH GRANT OPTION;
GRANT SELECT (email) ON users TO mc_c3_reader;
CREATE FUNCTION total_of(o int) RETURNS numeric LANGUAGE sql AS $$ SELECT o * 1.5 $$;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN email_address AS text NOT NULL;
CREATE DOMAIN short_text AS text;`;

const FLAGGED = `${APP}
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_noop BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION noop();
CREATE TRIGGER users_noop_2 BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION noop();
ALTER TABLE users DISABLE TRIGGER users_noop;
ALTER TABLE users ENABLE ALWAYS TRIGGER users_noop_2;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE UNLOGGED TABLE scratch (id int);
CREATE RULE orders_keep AS ON DELETE TO orders DO INSTEAD NOTHING;
ALTER TABLE orders DISABLE RULE orders_keep;`;

const CASES: AdversarialCase[] = [
  // Privileges.
  { name: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC, where PUBLIC had no CREATE (the issue)', setup: APP, migration: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;', expect: 'safe-with-prior' },
  { name: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC, where PUBLIC had it', setup: `${APP}\nGRANT CREATE ON SCHEMA public TO PUBLIC;`, migration: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;', expect: 'safe-with-prior' },
  { name: 'REVOKE ALL where the role only had SELECT (the issue)', setup: GRANTED, migration: 'REVOKE ALL ON users FROM mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'GRANT of a privilege the role held already (the issue)', setup: GRANTED, migration: 'GRANT SELECT ON users TO mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'GRANT of a privilege held already, and one that is new', setup: GRANTED, migration: 'GRANT SELECT, INSERT ON users TO mc_c3_app, mc_c3_reader;', expect: 'safe-with-prior' },
  { name: 'REVOKE GRANT OPTION FOR (the issue)', setup: GRANTED, migration: 'REVOKE GRANT OPTION FOR UPDATE ON orders FROM mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'GRANT … WITH GRANT OPTION of a privilege held without it', setup: GRANTED, migration: 'GRANT SELECT ON users TO mc_c3_app WITH GRANT OPTION;', expect: 'safe-with-prior' },
  { name: 'GRANT ALL to a role that held SELECT', setup: GRANTED, migration: 'GRANT ALL ON users TO mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'a table-level REVOKE also takes column privileges', setup: GRANTED, migration: 'REVOKE SELECT ON users FROM mc_c3_reader;', expect: 'safe-with-prior' },
  { name: 'a column-level GRANT of a column privilege held already', setup: GRANTED, migration: 'GRANT SELECT (email, name) ON users TO mc_c3_reader;', expect: 'safe-with-prior' },
  { name: 'REVOKE EXECUTE ON FUNCTION FROM PUBLIC (held by default)', setup: GRANTED, migration: 'REVOKE EXECUTE ON FUNCTION total_of(int) FROM PUBLIC;', expect: 'safe-with-prior' },
  { name: 'REVOKE USAGE ON TYPE and DOMAIN FROM PUBLIC', setup: GRANTED, migration: 'REVOKE USAGE ON TYPE mood FROM PUBLIC;\nREVOKE USAGE ON DOMAIN email_address FROM PUBLIC;', expect: 'safe-with-prior' },
  { name: 'GRANT USAGE on a sequence', setup: GRANTED, migration: 'GRANT USAGE ON SEQUENCE ticket_seq TO mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'GRANT … ON ALL TABLES IN SCHEMA', setup: GRANTED, migration: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO mc_c3_app;' },
  { name: 'REVOKE … CASCADE of a grant option the role passed on', setup: `${GRANTED}\nSET ROLE mc_c3_app;\nGRANT SELECT ON orders TO mc_c3_other;\nRESET ROLE;`, migration: 'REVOKE SELECT ON orders FROM mc_c3_app CASCADE;' },
  { name: 'role membership that existed already', setup: GRANTED, migration: 'GRANT mc_c3_reader TO mc_c3_app;', expect: 'not-safe' },
  // Default privileges are not in the snapshot (nor in the harness' fingerprint): never safe.
  { name: 'ALTER DEFAULT PRIVILEGES', setup: GRANTED, migration: 'ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO mc_c3_app;', expect: 'not-safe' },
  { name: 'GRANT … GRANTED BY another role', setup: GRANTED, migration: 'GRANT INSERT ON users TO mc_c3_app GRANTED BY CURRENT_USER;', expect: 'not-safe' },
  // Flags.
  { name: 'ENABLE ROW LEVEL SECURITY where it was on already', setup: FLAGGED, migration: 'ALTER TABLE users ENABLE ROW LEVEL SECURITY;', expect: 'safe-with-prior' },
  { name: 'NO FORCE ROW LEVEL SECURITY where it was forced', setup: FLAGGED, migration: 'ALTER TABLE users NO FORCE ROW LEVEL SECURITY;', expect: 'safe-with-prior' },
  { name: 'DISABLE TRIGGER where it was disabled already', setup: FLAGGED, migration: 'ALTER TABLE users DISABLE TRIGGER users_noop;', expect: 'safe-with-prior' },
  { name: 'ENABLE TRIGGER of a trigger that fired ALWAYS', setup: FLAGGED, migration: 'ALTER TABLE users ENABLE TRIGGER users_noop_2;', expect: 'safe-with-prior' },
  { name: 'ENABLE REPLICA TRIGGER of a disabled trigger', setup: FLAGGED, migration: 'ALTER TABLE users ENABLE REPLICA TRIGGER users_noop;', expect: 'safe-with-prior' },
  { name: 'DISABLE TRIGGER USER over triggers in different states', setup: FLAGGED, migration: 'ALTER TABLE users DISABLE TRIGGER USER;', expect: 'safe-with-prior' },
  { name: 'DISABLE TRIGGER ALL (the internal triggers\' states are not kept)', setup: FLAGGED, migration: 'ALTER TABLE orders DISABLE TRIGGER ALL;', expect: 'not-safe' },
  { name: 'ENABLE TRIGGER on a partitioned table whose partitions\' clones differ', setup: `${FLAGGED}\nCREATE TABLE events (id int, at int) PARTITION BY RANGE (at);\nCREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (10);\nCREATE TRIGGER events_noop BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION noop();\nALTER TABLE events_1 DISABLE TRIGGER events_noop;`, migration: 'ALTER TABLE events ENABLE TRIGGER events_noop;', expect: 'not-safe' },
  { name: 'ENABLE RULE of a disabled rule', setup: FLAGGED, migration: 'ALTER TABLE orders ENABLE RULE orders_keep;', expect: 'safe-with-prior' },
  { name: 'SET UNLOGGED where it was unlogged already', setup: FLAGGED, migration: 'ALTER TABLE scratch SET UNLOGGED;', expect: 'safe-with-prior' },
  { name: 'SET LOGGED of an unlogged table', setup: FLAGGED, migration: 'ALTER TABLE scratch SET LOGGED;', expect: 'safe-with-prior' },
  { name: 'ALTER DOMAIN … SET NOT NULL where it was NOT NULL already', setup: GRANTED, migration: 'ALTER DOMAIN email_address SET NOT NULL;', expect: 'safe-with-prior' },
  { name: 'ALTER DOMAIN … DROP NOT NULL where it had none', setup: GRANTED, migration: 'ALTER DOMAIN short_text DROP NOT NULL;', expect: 'safe-with-prior' },
  // Owners.
  { name: 'OWNER TO restores the owner the catalog shows', setup: `${APP}\nALTER TABLE orders OWNER TO mc_c3_owner;`, migration: 'ALTER TABLE orders OWNER TO mc_c3_app;', expect: 'safe-with-prior' },
  { name: 'OWNER TO a role that held privileges of its own (merged into the owner\'s)', setup: `${GRANTED}\nALTER TABLE orders OWNER TO mc_c3_owner;`, migration: 'ALTER TABLE orders OWNER TO mc_c3_app;' },
  { name: 'OWNER TO of a schema whose privileges name the new owner', setup: `${APP}\nGRANT USAGE ON SCHEMA app TO mc_c3_app;`, migration: 'ALTER SCHEMA app OWNER TO mc_c3_app;' },
];

describe('class 3: inverses that ignore the prior state', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });

  it('without the prior schema, none of them is safe', async () => {
    const { analyzeMigration } = await import('../../packages/analyzer/src/plan/analyze.js');
    const { migrationFromSql } = await import('../helpers/analyze.js');
    const safe = CASES.filter(({ migration }) => analyzeMigration(migrationFromSql(migration, '0001_static.sql')).verdict === 'safe').map(({ name }) => name);
    expect(safe).toEqual([]);
  });
});
