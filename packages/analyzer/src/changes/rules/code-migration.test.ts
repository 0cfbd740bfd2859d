import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { codeMigration } from './code-migration.js';

ruleTester(codeMigration, [
  {
    name: 'a goose .go migration is not read: risky, never safe',
    sql: '',
    migration: {"code":{"language":"go"}},
    expect: {
      object: '(Go migration)', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'Code migration, not read',
    },
  },
  {
    name: 'a knex migration whose capture has gaps: risky, with the gaps',
    sql: '',
    migration: {"capture":{"tool":"knex","language":"javascript","upGaps":["reads the database while it runs"],"downGaps":[]}},
    expect: {
      object: '(knex migration, not fully captured)', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'Not fully captured',
    },
  },
]);
