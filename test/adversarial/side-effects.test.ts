/**
 * Class 6 of issue 10: side effects of data changes called "undone by the DROP". A backfill of an added
 * column, or rows inserted into a created table, are undone by the DROP only when nothing else fires:
 * triggers, rules, cascading foreign keys, functions with side effects.
 */
import { afterAll, describe, it } from 'vitest';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';
import { APP, UPDATED_AT_TRIGGER } from './setup.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const AUDIT = `
CREATE TABLE audit (at text, what text);
CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES ('x', TG_OP || ' ' || TG_TABLE_NAME); RETURN NULL; END $$;`;

const CASES: AdversarialCase[] = [
  {
    name: 'backfill on a table with the updated_at trigger (the issue)',
    setup: `${APP}${UPDATED_AT_TRIGGER}`,
    migration: 'ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = email;',
    expect: 'not-safe',
  },
  {
    name: 'backfill on a table with a statement-level AFTER UPDATE trigger',
    setup: `${APP}${AUDIT}\nCREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH STATEMENT EXECUTE FUNCTION audit_change();`,
    migration: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
    expect: 'not-safe',
  },
  {
    name: 'backfill on a table with a rule ON UPDATE',
    setup: `${APP}${AUDIT}\nCREATE RULE users_log AS ON UPDATE TO users DO ALSO INSERT INTO audit VALUES ('rule', 'update');`,
    migration: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
    expect: 'not-safe',
  },
  {
    name: 'backfill on an inheritance parent whose child has a trigger',
    setup: `${APP}${AUDIT}\nCREATE TABLE admins (level int) INHERITS (users);\nINSERT INTO admins VALUES (9, 'a@x', 'a', '2020-01-01', 1);\nCREATE TRIGGER admins_audit AFTER UPDATE ON admins FOR EACH ROW EXECUTE FUNCTION audit_change();`,
    migration: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
    expect: 'not-safe',
  },
  {
    name: 'a trigger created by the migration fires on its own backfill',
    setup: APP,
    migration: `${UPDATED_AT_TRIGGER}\nALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = name;`,
    expect: 'not-safe',
  },
  {
    name: 'a backfill that moves a sequence',
    setup: APP,
    migration: "ALTER TABLE users ADD COLUMN ticket bigint;\nUPDATE users SET ticket = nextval('ticket_seq');",
    expect: 'not-safe',
  },
  {
    name: 'an added key with ON UPDATE CASCADE rewrites an existing column',
    setup: APP,
    migration: 'ALTER TABLE users ADD COLUMN code text UNIQUE;\nUPDATE users SET code = email;\nALTER TABLE orders ADD CONSTRAINT orders_note_fk FOREIGN KEY (note) REFERENCES users (code) ON UPDATE CASCADE;\nUPDATE users SET code = upper(code);',
    expect: 'not-safe',
  },
  {
    name: 'rows inserted into a new partition fire the parent\'s row trigger',
    setup: `${APP}${AUDIT}\nCREATE TABLE events (id int, at int) PARTITION BY RANGE (at);\nCREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);\nCREATE TRIGGER events_audit AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION audit_change();`,
    migration: 'CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);\nINSERT INTO events_2 VALUES (1, 150);',
    expect: 'not-safe',
  },
  {
    name: 'rows inserted into a created table with a rule the migration adds',
    setup: APP,
    migration: "CREATE TABLE inbox (id int);\nCREATE RULE inbox_touch AS ON INSERT TO inbox DO ALSO UPDATE users SET name = 'touched';\nINSERT INTO inbox VALUES (1);",
    expect: 'not-safe',
  },
  {
    name: 'rows deleted from a created table cascade into an existing one',
    setup: APP,
    migration: 'CREATE TABLE plans (id int PRIMARY KEY);\nINSERT INTO plans SELECT id FROM users;\nALTER TABLE orders ADD CONSTRAINT orders_plan_fk FOREIGN KEY (user_id) REFERENCES plans (id) ON DELETE SET NULL;\nDELETE FROM plans;',
    expect: 'not-safe',
  },
  {
    name: 'control: a backfill on a table whose only trigger is disabled',
    setup: `${APP}${UPDATED_AT_TRIGGER}\nALTER TABLE users DISABLE TRIGGER users_touch;`,
    migration: 'ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = lower(email);',
    expect: 'safe-with-prior',
  },
  {
    name: 'control: a backfill on a table whose trigger fires only for another column',
    setup: `${APP}\nCREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;\nCREATE TRIGGER users_touch BEFORE UPDATE OF email ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();`,
    migration: "ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = coalesce(name, 'none');",
    expect: 'safe-with-prior',
  },
];

describe('class 6: side effects of data changes undone by a DROP', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });
});
