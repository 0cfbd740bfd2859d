import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropColumn } from './drop-column.js';

const PRIOR = `CREATE TABLE users (id bigint PRIMARY KEY, phone varchar(20) NOT NULL DEFAULT '', note text);
COMMENT ON COLUMN users.note IS 'free text';`;

ruleTester(dropColumn, [
  {
    name: 'seed: irreversible, forward fix only, with the seed\'s three options',
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'forward fix only',
      options: ['Restore from backup', 'Accept data loss', 'Recreate from logs'],
    },
  },
  {
    sql: 'ALTER TABLE users DROP COLUMN phone CASCADE;',
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'static',
      rollback: [],
      reason: 'CASCADE also drops',
    },
  },
  {
    name: 'the prior schema gives the definition back, not the values',
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    prior: PRIOR,
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
      reason: 'not its values',
    },
  },
  {
    name: 'with its comment',
    sql: 'ALTER TABLE users DROP COLUMN note;',
    prior: PRIOR,
    expect: {
      object: 'public.users.note', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN note text;',
        'COMMENT ON COLUMN public.users.note IS \'free text\';',
      ],
    },
  },
  {
    sql: 'ALTER TABLE users DROP COLUMN IF EXISTS fax;',
    prior: PRIOR,
    expect: { object: 'public.users.fax', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    name: 'IF EXISTS without the prior schema: still irreversible',
    sql: 'ALTER TABLE users DROP COLUMN IF EXISTS fax;',
    expect: { object: 'public.users.fax', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    prior: PRIOR,
    state: 'pending',
    data: { columnHoldsData: 'no' },
    expect: {
      object: 'public.users.phone', verdict: 'safe', evidence: 'data',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
      reason: 'holds no data today',
    },
  },
  {
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    prior: PRIOR,
    state: 'pending',
    data: { columnHoldsData: 'yes' },
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'data',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
      reason: 'it holds data',
    },
  },
  {
    name: 'an unknown answer keeps it irreversible',
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    prior: PRIOR,
    state: 'pending',
    data: { columnHoldsData: 'unknown' },
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
    },
  },
  {
    name: 'empty, but CASCADE drops what depends on it: irreversible',
    sql: 'ALTER TABLE users DROP COLUMN phone CASCADE;',
    prior: PRIOR,
    state: 'pending',
    data: { columnHoldsData: 'no' },
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
    },
  },
  {
    name: 'empty, but no prior definition to re-add: irreversible',
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    state: 'pending',
    data: { columnHoldsData: 'no' },
    expect: { object: 'public.users.phone', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    name: 'applied: the data is gone, no check',
    sql: 'ALTER TABLE users DROP COLUMN phone;',
    prior: PRIOR,
    state: 'applied',
    expect: {
      object: 'public.users.phone', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD COLUMN phone character varying(20) DEFAULT \'\'::character varying NOT NULL;',
      ],
    },
  },
  {
    name: 'not undone by anything, even a column the migration added',
    sql: `ALTER TABLE users ADD COLUMN x int;
ALTER TABLE users DROP COLUMN x;`,
    expect: { object: 'public.users.x', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
]);
