import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { renameTable } from './rename-table.js';

ruleTester(renameTable, [
  {
    sql: 'ALTER TABLE users RENAME TO people;',
    expect: {
      object: 'public.users', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.people RENAME TO users;'],
      reason: 'renaming it back',
    },
  },
  {
    name: 'renames back in its schema',
    sql: 'ALTER TABLE app.users RENAME TO people;',
    expect: {
      object: 'app.users', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE app.people RENAME TO users;'],
    },
  },
  {
    sql: 'ALTER TABLE "Users" RENAME TO "People";',
    expect: {
      object: 'public.Users', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public."People" RENAME TO "Users";'],
    },
  },
  {
    // Like ADD COLUMN / CREATE TABLE / CREATE INDEX IF NOT EXISTS: whether the statement did anything is unknown,
    // and renaming back would then rename another table (or fail). Was a false "safe" before this case.
    name: 'IF EXISTS: the table may not have existed, so renaming back may rename another table',
    sql: 'ALTER TABLE IF EXISTS "Users" RENAME TO "People";',
    expect: {
      object: 'public.Users', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public."People" RENAME TO "Users";'],
      reason: 'may not have existed',
    },
  },
  {
    name: 'a temporary table of the session',
    sql: `CREATE TEMP TABLE scratch (id int);
ALTER TABLE scratch RENAME TO scratch2;`,
    expect: { object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static', rollback: [], reason: 'temporary table' },
  },
]);
