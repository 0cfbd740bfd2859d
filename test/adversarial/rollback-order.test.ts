/**
 * Class 4 of issue 10: rollback steps in an order that cannot run. Reverse statement order is not enough when a
 * change of a created object is undone by the object's DROP (a trigger, a column, a foreign key, a default added
 * later): the DROP must then run before the drops of what that later change made it depend on. Every emitted
 * script runs on a real server (the harness), in its own session.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeMigration } from '../../packages/analyzer/src/plan/analyze.js';
import { buildReport } from '../../packages/analyzer/src/report/build.js';
import { migrationFromSql } from '../helpers/analyze.js';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const CASES: AdversarialCase[] = [
  {
    name: 'a created table, a trigger function, and a trigger on the table (the issue)',
    setup: APP,
    migration: `CREATE TABLE audit_log (id int, at timestamptz);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
CREATE TRIGGER audit_log_stamp BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION stamp();`,
    expect: 'safe-with-prior',
  },
  {
    name: 'a created table, CREATE OR REPLACE of a new trigger function, and a trigger (Lemmy create_private_message)',
    setup: APP,
    migration: `CREATE TABLE private_note (id int, at timestamptz);
CREATE OR REPLACE FUNCTION refresh_private_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
CREATE TRIGGER refresh_private_note BEFORE INSERT ON private_note FOR EACH ROW EXECUTE PROCEDURE refresh_private_note();`,
    expect: 'safe-with-prior',
  },
  {
    name: 'a type used by a column added to a created table (the issue)',
    setup: APP,
    migration: "CREATE TABLE tickets (id int);\nCREATE TYPE ticket_state AS ENUM ('open', 'closed');\nALTER TABLE tickets ADD COLUMN state ticket_state;",
    expect: 'safe-with-prior',
  },
  {
    name: 'SET SCHEMA of a created table into a created schema (the issue)',
    setup: APP,
    migration: 'CREATE TABLE ledger (id int);\nCREATE SCHEMA accounting;\nALTER TABLE ledger SET SCHEMA accounting;',
    expect: 'safe-with-prior',
  },
  {
    name: 'a foreign key of a created table to a table created after it (openmeter subscriptions)',
    setup: APP,
    migration: `CREATE TABLE subscription_items (id int PRIMARY KEY, subscription_id int);
CREATE TABLE subscriptions (id int PRIMARY KEY);
ALTER TABLE subscription_items ADD CONSTRAINT subscription_items_subscription_fk FOREIGN KEY (subscription_id) REFERENCES subscriptions (id);`,
    expect: 'safe-with-prior',
  },
  {
    name: 'a function used by a default added to a created table',
    setup: APP,
    migration: "CREATE TABLE invoices (id int, code text);\nCREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'INV' $$;\nALTER TABLE invoices ALTER COLUMN code SET DEFAULT next_code();",
    expect: 'safe-with-prior',
  },
  {
    name: 'a sequence used by a default added to a created table',
    setup: APP,
    migration: "CREATE TABLE receipts (id bigint);\nCREATE SEQUENCE receipt_ids;\nALTER TABLE receipts ALTER COLUMN id SET DEFAULT nextval('receipt_ids');",
    expect: 'safe-with-prior',
  },
  {
    name: 'a check constraint calling a function created after the table',
    setup: APP,
    migration: "CREATE TABLE codes (code text);\nCREATE FUNCTION is_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t LIKE 'C%' $$;\nALTER TABLE codes ADD CONSTRAINT codes_valid CHECK (is_code(code));",
    expect: 'safe-with-prior',
  },
  {
    name: 'an index on a created table using a function created after it',
    setup: APP,
    migration: "CREATE TABLE names (name text);\nCREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;\nCREATE INDEX names_norm ON names (norm(name));",
    expect: 'safe-with-prior',
  },
  {
    name: 'a view over a created table and a function, then a column',
    setup: APP,
    migration: "CREATE FUNCTION double_it(n int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT n * 2 $$;\nCREATE TABLE counts (n int);\nCREATE VIEW doubled AS SELECT double_it(n) AS d FROM counts;",
    expect: 'safe-with-prior',
  },
  {
    name: 'a sequence OWNED BY a column of a created table',
    setup: APP,
    migration: "CREATE SEQUENCE coupon_ids;\nCREATE TABLE coupons (id bigint DEFAULT nextval('coupon_ids'));\nALTER SEQUENCE coupon_ids OWNED BY coupons.id;",
  },
  {
    name: 'a domain used by a column added to an existing table, created in the same migration',
    setup: APP,
    migration: "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);\nALTER TABLE users ADD COLUMN score positive_int;",
    expect: 'safe-with-prior',
  },
  {
    name: 'two created tables referencing each other through a later foreign key',
    setup: APP,
    migration: `CREATE TABLE teams (id int PRIMARY KEY, lead_id int);
CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams (id));
ALTER TABLE teams ADD CONSTRAINT teams_lead_fk FOREIGN KEY (lead_id) REFERENCES members (id);`,
  },
  // Found by the generator: a definition recreated from the prior schema names columns as they were before.
  {
    name: 'a column renamed, then an index on it dropped (generator)',
    setup: `${APP}\nCREATE INDEX orders_user_idx ON orders (user_id);`,
    migration: 'ALTER TABLE orders RENAME COLUMN user_id TO user_id_renamed;\nDROP INDEX orders_user_idx;\nALTER TABLE users RENAME COLUMN name TO name_renamed;',
    expect: 'safe-with-prior',
  },
  {
    name: 'a column renamed, then a unique constraint on it dropped (generator)',
    setup: `${APP}\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);`,
    migration: 'ALTER TABLE users RENAME COLUMN email TO email_renamed;\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\nALTER TABLE users DROP CONSTRAINT users_email_key;',
    expect: 'safe-with-prior',
  },
  {
    name: 'columns renamed, then a view over them dropped (generator)',
    setup: `${APP}\nCREATE VIEW user_emails AS SELECT id, email FROM users;`,
    migration: 'ALTER TABLE users RENAME COLUMN updated_at TO updated_at_renamed;\nALTER TABLE users RENAME COLUMN email TO email_renamed;\nDROP VIEW user_emails;',
    expect: 'safe-with-prior',
  },
  {
    name: 'a table renamed, then a view over it replaced',
    setup: `${APP}\nCREATE VIEW order_notes AS SELECT id, note FROM orders;`,
    migration: 'ALTER TABLE orders RENAME TO purchases;\nCREATE OR REPLACE VIEW order_notes AS SELECT id, note, total FROM purchases;',
  },
  {
    name: 'a column renamed, then its default changed (a step written with the new name)',
    setup: `${APP}\nALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon';`,
    migration: "ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users ALTER COLUMN full_name SET DEFAULT 'nobody';",
  },
  {
    name: 'a trigger on an existing table calling a function created in the migration, then the table renamed back and forth',
    setup: APP,
    migration: `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE notes (id int);
CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE notes RENAME TO memos;`,
  },
];

describe('class 4: rollback steps in an order that can run', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });

  it('several migrations: an object of an earlier migration is dropped after what a later one made depend on it', async () => {
    const migrations = ['CREATE TABLE plans (id int PRIMARY KEY);', 'CREATE TABLE seats (id int, plan_id int REFERENCES plans (id));'];
    const report = buildReport('plan', migrations.map((sql, index) => analyzeMigration(migrationFromSql(sql, `000${index + 1}_m.sql`))));
    const sql = report.rollback?.sql ?? '';
    expect(sql.indexOf('DROP TABLE IF EXISTS public.seats')).toBeGreaterThan(0);
    expect(sql.indexOf('DROP TABLE IF EXISTS public.seats')).toBeLessThan(sql.indexOf('DROP TABLE IF EXISTS public.plans'));
  });
});
