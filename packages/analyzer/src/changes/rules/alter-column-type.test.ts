import { describe, expect, it } from 'vitest';
import { classifyTypeChange, parseTypeText } from './alter-column-type.js';
import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { alterColumnType } from './alter-column-type.js';

const PRIOR = 'CREATE TABLE users (age integer, amount numeric(10,2), seen_at timestamp, code varchar(20), score integer, big bigint, doc json, v integer);';

ruleTester(alterColumnType, [
  {
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    expect: {
      object: 'public.users.age', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'prior type is unknown',
    },
  },
  {
    name: 'seed "Yes - reversible": int → bigint reverts with ALTER COLUMN … TYPE integer',
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    prior: PRIOR,
    expect: {
      object: 'public.users.age', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'],
      reason: 'until the application writes values integer cannot hold',
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE integer;',
    prior: PRIOR,
    expect: {
      object: 'public.users.age', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'already had type integer',
    },
  },
  {
    name: 'a checked narrowing: Postgres refuses values that do not fit, so the apply loses nothing',
    sql: 'ALTER TABLE users ALTER COLUMN big TYPE integer;',
    prior: PRIOR,
    expect: {
      object: 'public.users.big', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN big TYPE bigint;'],
    },
  },
  {
    name: 'a cast that rounds on apply is irreversible: numeric(10,2) → numeric(10,0)',
    sql: 'ALTER TABLE users ALTER COLUMN amount TYPE numeric(10,0);',
    prior: PRIOR,
    expect: {
      object: 'public.users.amount', verdict: 'irreversible', evidence: 'catalog',
      rollback: [],
      reason: 'rounds',
      options: ['Restore the original values from a backup taken before the migration', 'Accept the lost precision and fix forward'],
    },
  },
  {
    name: 'timestamp → date drops the time of day: irreversible',
    sql: 'ALTER TABLE users ALTER COLUMN seen_at TYPE date;',
    prior: PRIOR,
    expect: { object: 'public.users.seen_at', verdict: 'irreversible', evidence: 'catalog', rollback: [] },
  },
  {
    name: 'a text conversion reverts with USING',
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE text;',
    prior: PRIOR,
    expect: {
      object: 'public.users.age', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer USING age::integer;'],
    },
  },
  {
    name: 'never an explicit cast to a bounded string (it would truncate silently)',
    sql: 'ALTER TABLE users ALTER COLUMN code TYPE text;',
    prior: PRIOR,
    expect: {
      object: 'public.users.code', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN code TYPE character varying(20);'],
    },
  },
  {
    name: 'json → jsonb normalises the text: risky',
    sql: 'ALTER TABLE users ALTER COLUMN doc TYPE jsonb;',
    prior: PRIOR,
    expect: {
      object: 'public.users.doc', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN doc TYPE json USING doc::json;'],
    },
  },
  {
    name: 'a session-dependent conversion: risky',
    sql: 'ALTER TABLE users ALTER COLUMN seen_at TYPE timestamptz;',
    prior: PRIOR,
    expect: {
      object: 'public.users.seen_at', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN seen_at TYPE timestamp without time zone;'],
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN score TYPE text USING score || \' points\';',
    prior: PRIOR,
    expect: {
      object: 'public.users.score', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN score TYPE integer USING score::integer;'],
      reason: 'USING expression',
    },
  },
  {
    name: 'a column the prior schema lacks: risky',
    sql: 'ALTER TABLE users ALTER COLUMN missing TYPE bigint;',
    prior: PRIOR,
    expect: { object: 'public.users.missing', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    name: 'a second type change of the same column does not trust the migration-level prior',
    sql: 'ALTER TABLE users ALTER COLUMN v TYPE bigint, ALTER COLUMN v TYPE text;',
    prior: PRIOR,
    expect: [
      {
        object: 'public.users.v', verdict: 'safe', evidence: 'catalog',
        rollback: ['ALTER TABLE public.users ALTER COLUMN v TYPE integer;'],
      },
      { object: 'public.users.v', verdict: 'risky', evidence: 'static', rollback: [] },
    ],
  },
  {
    name: 'applied, seed "Data compatible? Yes"',
    sql: 'ALTER TABLE users ALTER COLUMN big TYPE integer;',
    prior: PRIOR,
    state: 'applied',
    data: { valuesFitType: 'yes' },
    expect: {
      object: 'public.users.big', verdict: 'safe', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN big TYPE bigint;'],
      reason: 'still fits',
    },
  },
  {
    name: 'applied, seed "No - data loss": bigint values exceed int range',
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    prior: PRIOR,
    state: 'applied',
    data: { valuesFitType: 'no' },
    expect: {
      object: 'public.users.age', verdict: 'irreversible', evidence: 'data',
      rollback: [],
      reason: 'Cannot Revert',
      options: ['Fix forward in the new application version, keeping the new type', 'Clean up the values that do not fit integer, then revert'],
    },
  },
  {
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    prior: PRIOR,
    state: 'applied',
    data: { valuesFitType: 'unknown' },
    expect: {
      object: 'public.users.age', verdict: 'risky', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'],
    },
  },
  {
    name: 'pending: every value converts unchanged, so nothing is lost today',
    sql: 'ALTER TABLE users ALTER COLUMN amount TYPE numeric(10,0);',
    prior: PRIOR,
    state: 'pending',
    data: { valuesFitType: 'yes' },
    expect: {
      object: 'public.users.amount', verdict: 'safe', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN amount TYPE numeric(10,2);'],
    },
  },
  {
    name: 'pending: a lossy cast that would change values',
    sql: 'ALTER TABLE users ALTER COLUMN amount TYPE numeric(10,0);',
    prior: PRIOR,
    state: 'pending',
    data: { valuesFitType: 'no' },
    expect: {
      object: 'public.users.amount', verdict: 'irreversible', evidence: 'data',
      rollback: [],
      options: ['Back up the column before the migration', 'Accept the lost precision', 'Keep the old type'],
    },
  },
  {
    name: 'pending: a checked cast the migration itself will fail on',
    sql: 'ALTER TABLE users ALTER COLUMN big TYPE integer;',
    prior: PRIOR,
    state: 'pending',
    data: { valuesFitType: 'no' },
    expect: {
      object: 'public.users.big', verdict: 'risky', evidence: 'data',
      rollback: ['ALTER TABLE public.users ALTER COLUMN big TYPE bigint;'],
      reason: 'will fail on them',
    },
  },
  {
    name: 'no prior type: no data check, risky',
    sql: 'ALTER TABLE users ALTER COLUMN age TYPE bigint;',
    state: 'applied',
    expect: { object: 'public.users.age', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);

describe('classifyTypeChange', () => {
  const cases: Array<[string, string, string, ReturnType<typeof classifyTypeChange>['kind']]> = [
    ['integer', 'bigint', 'default', 'widening'],
    ['bigint', 'integer', 'default', 'checked'],
    ['smallint', 'numeric', 'default', 'widening'],
    ['integer', 'numeric(5,0)', 'default', 'checked'],
    ['integer', 'real', 'default', 'lossy'],
    ['integer', 'double precision', 'default', 'widening'],
    ['bigint', 'double precision', 'default', 'lossy'],
    ['numeric(10,2)', 'numeric(12,2)', 'default', 'widening'],
    ['numeric(10,2)', 'numeric(10,0)', 'default', 'lossy'],
    ['numeric', 'numeric(10,2)', 'default', 'lossy'],
    ['numeric(10,2)', 'integer', 'default', 'lossy'],
    ['numeric(10,0)', 'bigint', 'default', 'checked'],
    ['double precision', 'real', 'default', 'lossy'],
    ['real', 'double precision', 'default', 'widening'],
    ['character varying(50)', 'text', 'default', 'widening'],
    ['character varying(50)', 'character varying(100)', 'default', 'widening'],
    // Trailing blanks beyond 10 are cut silently by the assignment cast.
    ['text', 'character varying(10)', 'default', 'normalizing'],
    ['character(10)', 'character varying(5)', 'default', 'checked'],
    ['double precision', 'numeric', 'default', 'lossy'],
    ['real', 'numeric', 'default', 'lossy'],
    ['double precision', 'text', 'default', 'session-dependent'],
    ['timestamp without time zone', 'text', 'default', 'session-dependent'],
    ['date', 'character varying(20)', 'default', 'session-dependent'],
    ['interval', 'text', 'default', 'session-dependent'],
    ['text', 'character varying(10)', 'plain-cast', 'lossy'],
    ['integer', 'text', 'default', 'checked'],
    ['text', 'integer', 'plain-cast', 'normalizing'],
    ['json', 'jsonb', 'default', 'normalizing'],
    ['jsonb', 'json', 'default', 'checked'],
    ['timestamp(6) without time zone', 'timestamp(3) without time zone', 'default', 'lossy'],
    ['timestamp(3) without time zone', 'timestamp without time zone', 'default', 'widening'],
    ['timestamp without time zone', 'timestamp with time zone', 'default', 'session-dependent'],
    ['timestamp with time zone', 'date', 'default', 'lossy'],
    ['date', 'timestamp without time zone', 'default', 'checked'],
    ['integer[]', 'bigint[]', 'default', 'widening'],
    ['integer', 'integer[]', 'default', 'unknown'],
    ['integer', 'integer', 'default', 'unchanged'],
    ['mood', 'text', 'default', 'unknown'],
    ['integer', 'bigint', 'expression', 'unknown'],
  ];
  it.each(cases)('%s → %s (%s) is %s', (from, to, conversion, kind) => {
    expect(classifyTypeChange(from, to, conversion as 'default').kind).toBe(kind);
  });

  it('parses format_type() spellings', () => {
    expect(parseTypeText('timestamp(3) with time zone')).toEqual({ base: 'timestamp with time zone', mods: [3], array: false });
    expect(parseTypeText('numeric(10,2)[]')).toEqual({ base: 'numeric', mods: [10, 2], array: true });
    expect(parseTypeText('character varying')).toEqual({ base: 'character varying', mods: [], array: false });
  });
});