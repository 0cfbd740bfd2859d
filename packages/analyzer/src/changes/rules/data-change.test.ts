import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dataChange } from './data-change.js';

const PRIOR = 'CREATE TABLE users (id int PRIMARY KEY, email text);';

ruleTester(dataChange, [
  {
    name: 'COPY TO and plain SELECTs change nothing',
    sql: 'COPY settings TO STDOUT; SELECT * FROM users; SELECT 1;',
    expect: [],
  },
  {
    sql: 'UPDATE users SET email = lower(email) WHERE email <> lower(email);',
    expect: {
      object: 'public.users', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'overwrites email',
      options: ['Back up the affected rows before the migration runs (for example CREATE TABLE backup AS SELECT … with the same WHERE), so they can be restored', 'Restore from backup', 'Accept the data change and fix forward', 'Recreate the previous values from logs'],
    },
  },
  {
    name: 'each column it sets, once',
    sql: 'UPDATE users SET a = 1, b = 2, a = 3;',
    expect: { object: 'public.users', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DELETE FROM sessions WHERE expires_at < now();',
    expect: {
      object: 'public.sessions', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'removes rows',
    },
  },
  {
    sql: 'TRUNCATE audit_log;',
    expect: {
      object: 'public.audit_log', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'removes rows',
    },
  },
  {
    name: 'one change per table truncated',
    sql: 'TRUNCATE a, b CASCADE;',
    expect: [
      { object: 'public.a', verdict: 'irreversible', evidence: 'static', rollback: [] },
      { object: 'public.b', verdict: 'irreversible', evidence: 'static', rollback: [] },
    ],
  },
  {
    sql: 'INSERT INTO t (id, v) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = 2;',
    expect: {
      object: 'public.t', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'overwrites or removes',
    },
  },
  {
    name: 'ON CONFLICT DO NOTHING only adds rows: risky',
    sql: 'INSERT INTO t (id, v) VALUES (1, 2) ON CONFLICT DO NOTHING;',
    expect: { object: 'public.t', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;',
    expect: {
      object: 'public.t', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'overwrites or removes',
    },
  },
  {
    sql: 'INSERT INTO settings (key, value) VALUES (\'theme\', \'dark\');',
    expect: { object: 'public.settings', verdict: 'risky', evidence: 'static', rollback: [], reason: 'adds rows' },
  },
  {
    sql: 'INSERT INTO archive SELECT * FROM orders;',
    expect: { object: 'public.archive', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'COPY settings FROM \'/tmp/settings.csv\';',
    expect: { object: 'public.settings', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    name: 'a temporary table of the session',
    sql: 'INSERT INTO pg_temp.scratch VALUES (1);',
    expect: { object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static', rollback: [], reason: 'temporary table' },
  },
  {
    name: 'filling a temporary table the migration creates: undone with it',
    sql: `CREATE TEMP TABLE scratch (id int);
INSERT INTO scratch VALUES (1);`,
    expect: { object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static', rollback: [] },
  },
  {
    name: 'an UPDATE is undone only when every column it sets was added by the migration',
    sql: `ALTER TABLE users ADD COLUMN a int;
UPDATE users SET a = 1, b = 2;`,
    expect: { object: 'public.users', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    name: 'a backfill of an added column: risky without the prior schema (the triggers it fires are unknown)',
    sql: `ALTER TABLE users ADD COLUMN role text;
UPDATE users SET role = 'member';`,
    expect: {
      object: 'public.users', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'triggers and rules of users are unknown without the prior schema',
    },
  },
  {
    name: 'a backfill of an added column, no trigger fires: undone with the column',
    sql: `ALTER TABLE users ADD COLUMN role text;
UPDATE users SET role = 'member';`,
    prior: PRIOR,
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'Undone with the column public.users.role',
    },
  },
]);
