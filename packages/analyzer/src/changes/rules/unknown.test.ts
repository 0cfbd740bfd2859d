import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { unknownStatement } from './unknown.js';

ruleTester(unknownStatement, [
  {
    sql: 'CREATE DATABASE other;',
    expect: {
      object: '(CreatedbStmt)', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'does not recognise this statement (CreatedbStmt)',
    },
  },
  {
    sql: 'ALTER TYPE address DROP ATTRIBUTE zip;',
    expect: { object: 'public.address', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'DECLARE c CURSOR FOR SELECT * FROM users;',
    expect: { object: '(DeclareCursorStmt)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    name: 'statements that leave nothing behind make no change at all',
    sql: 'BEGIN; SET lock_timeout = \'5s\'; ANALYZE users; VACUUM users; REINDEX TABLE users; COMMIT;',
    expect: [],
  },
  {
    sql: 'IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO local;',
    expect: { object: '(ImportForeignSchemaStmt)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
