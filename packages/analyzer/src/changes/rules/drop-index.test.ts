import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropIndex } from './drop-index.js';

const PRIOR = `CREATE TABLE users (id int, name text, email text);
CREATE INDEX users_name_idx ON users (name);
CREATE UNIQUE INDEX users_email_key ON users (email);
COMMENT ON INDEX users_name_idx IS 'for search';`;

ruleTester(dropIndex, [
  {
    sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_name_idx;',
    expect: {
      object: 'public.users_name_idx', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'held no data',
    },
  },
  {
    name: 'one change per index named',
    sql: 'DROP INDEX a_idx, app.b_idx;',
    expect: [
      { object: 'public.a_idx', verdict: 'risky', evidence: 'static', rollback: [] },
      { object: 'app.b_idx', verdict: 'risky', evidence: 'static', rollback: [] },
    ],
  },
  {
    name: 'rebuilt from its prior definition, with its comment',
    sql: 'DROP INDEX users_name_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.users_name_idx', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE INDEX users_name_idx ON public.users USING btree (name);',
        'COMMENT ON INDEX public.users_name_idx IS \'for search\';',
      ],
    },
  },
  {
    name: 'dropped concurrently: rebuilt concurrently',
    sql: 'DROP INDEX CONCURRENTLY users_name_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.users_name_idx', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE INDEX CONCURRENTLY users_name_idx ON public.users USING btree (name);',
        'COMMENT ON INDEX public.users_name_idx IS \'for search\';',
      ],
    },
  },
  {
    sql: 'DROP INDEX users_email_key;',
    prior: PRIOR,
    expect: {
      object: 'public.users_email_key', verdict: 'safe', evidence: 'catalog',
      rollback: ['CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);'],
      reason: 'fails to rebuild once duplicates are written',
    },
  },
  {
    sql: 'DROP INDEX IF EXISTS gone_idx;',
    prior: PRIOR,
    expect: { object: 'public.gone_idx', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    sql: 'DROP INDEX gone_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.gone_idx', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
  {
    sql: 'DROP INDEX users_email_key;',
    prior: PRIOR,
    state: 'applied',
    data: { duplicatesPresent: 'no' },
    expect: {
      object: 'public.users_email_key', verdict: 'safe', evidence: 'data',
      rollback: ['CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);'],
      reason: 'no duplicates block it',
    },
  },
  {
    sql: 'DROP INDEX users_email_key;',
    prior: PRIOR,
    state: 'applied',
    data: { duplicatesPresent: 'yes' },
    expect: {
      object: 'public.users_email_key', verdict: 'risky', evidence: 'data',
      rollback: ['CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);'],
      reason: 'Duplicates were written',
    },
  },
  {
    sql: 'DROP INDEX users_email_key;',
    prior: PRIOR,
    state: 'applied',
    data: { duplicatesPresent: 'unknown' },
    expect: {
      object: 'public.users_email_key', verdict: 'risky', evidence: 'data',
      rollback: ['CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);'],
    },
  },
  {
    name: 'a non-unique index: no data check',
    sql: 'DROP INDEX users_name_idx;',
    prior: PRIOR,
    state: 'applied',
    expect: {
      object: 'public.users_name_idx', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'CREATE INDEX users_name_idx ON public.users USING btree (name);',
        'COMMENT ON INDEX public.users_name_idx IS \'for search\';',
      ],
    },
  },
]);
