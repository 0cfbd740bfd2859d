import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { proceduralCode } from './procedural-code.js';

ruleTester(proceduralCode, [
  {
    sql: 'DO $$ BEGIN PERFORM 1; END $$;',
    expect: { object: '(DO block)', verdict: 'risky', evidence: 'static', rollback: [], reason: 'cannot see into' },
  },
  {
    sql: 'CALL refresh_all();',
    expect: { object: '(CALL)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'SELECT diesel_manage_updated_at(\'users\');',
    expect: { object: '(SELECT)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'EXPLAIN ANALYZE SELECT refresh_all();',
    expect: { object: '(EXPLAIN ANALYZE)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'COPY (SELECT nextval(\'s\')) TO STDOUT;',
    expect: { object: '(COPY)', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
