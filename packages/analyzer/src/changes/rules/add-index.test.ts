import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { addIndex } from './add-index.js';

const PRIOR = `CREATE TABLE users (id int, name text, email text);
CREATE INDEX users_name_idx ON users (name);`;

ruleTester(addIndex, [
  {
    sql: 'CREATE INDEX users_email_idx ON users (email);',
    expect: {
      object: 'public.users_email_idx', verdict: 'safe', evidence: 'static',
      rollback: ['DROP INDEX public.users_email_idx;'],
      reason: 'holds no data of its own',
    },
  },
  {
    name: 'a named index is dropped in its table\'s schema',
    sql: 'CREATE UNIQUE INDEX users_email_key ON app.users (lower(email));',
    expect: {
      object: 'app.users_email_key', verdict: 'safe', evidence: 'static',
      rollback: ['DROP INDEX app.users_email_key;'],
    },
  },
  {
    name: 'a concurrently built index is dropped concurrently, outside a transaction',
    sql: 'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);',
    expect: {
      object: 'public.users_name_idx', verdict: 'safe', evidence: 'static',
      rollback: ['DROP INDEX CONCURRENTLY public.users_name_idx;'],
    },
  },
  {
    sql: 'CREATE INDEX ON users (name);',
    expect: { object: 'public.users', verdict: 'risky', evidence: 'static', rollback: [], reason: 'has no name' },
  },
  {
    sql: 'CREATE INDEX IF NOT EXISTS users_name_idx ON users (name);',
    expect: {
      object: 'public.users_name_idx', verdict: 'risky', evidence: 'static',
      rollback: ['DROP INDEX public.users_name_idx;'],
      reason: 'may have existed',
      incomplete: 'may have existed',
    },
  },
  {
    sql: 'CREATE INDEX IF NOT EXISTS users_name_idx ON users (name);',
    prior: PRIOR,
    expect: {
      object: 'public.users_name_idx', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'did nothing',
    },
  },
  {
    name: 'IF NOT EXISTS of an index the prior schema lacks: created, safe (catalog)',
    sql: 'CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);',
    prior: PRIOR,
    expect: {
      object: 'public.users_email_idx', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP INDEX public.users_email_idx;'],
    },
  },
  {
    name: 'after a statement that dropped it, the migration-level prior schema is not trusted',
    sql: `DROP INDEX users_name_idx;
CREATE INDEX IF NOT EXISTS users_name_idx ON users (lower(name));`,
    prior: PRIOR,
    expect: {
      object: 'public.users_name_idx', verdict: 'risky', evidence: 'static',
      rollback: ['DROP INDEX public.users_name_idx;'],
      reason: 'may have existed',
    },
  },
  {
    name: 'a comment does not hide what the prior schema says',
    sql: `COMMENT ON INDEX users_name_idx IS 'x';
CREATE INDEX IF NOT EXISTS users_name_idx ON users (name);`,
    prior: PRIOR,
    expect: { object: 'public.users_name_idx', verdict: 'safe', evidence: 'catalog', rollback: [] },
  },
]);
