import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import { onlyChange } from '../../../../../test/helpers/analyze.js';
import { priorOf } from '../../../../../test/helpers/prior.js';
import { classifyTypeChange, parseTypeText } from './alter-column-type.js';

let prior: SchemaSnapshot;
beforeAll(async () => {
  prior = await priorOf('CREATE TABLE users (age integer, amount numeric(10,2), seen_at timestamp, code varchar(20), score integer);');
});

describe('alter-column-type (seed: Modified Column)', () => {
  it('is risky without the prior type: the rollback cannot be written', () => {
    const change = onlyChange('ALTER TABLE users ALTER COLUMN age TYPE bigint;');
    expect(change).toMatchObject({ kind: 'alter_column_type', object: 'public.users.age', verdict: 'risky', rollback: [] });
    expect(change.reason).toMatch(/prior type is unknown/);
  });

  it('seed branch "Yes - reversible": int → bigint reverts with ALTER COLUMN … TYPE integer', () => {
    const change = onlyChange('ALTER TABLE users ALTER COLUMN age TYPE bigint;', { prior });
    expect(change).toMatchObject({
      verdict: 'safe',
      evidence: 'catalog',
      rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'],
    });
    expect(change.reason).toMatch(/until the application writes values integer cannot hold/);
  });

  it('a cast that rounds on apply is irreversible: numeric(10,2) → numeric(10,0)', () => {
    const change = onlyChange('ALTER TABLE users ALTER COLUMN amount TYPE numeric(10,0);', { prior });
    expect(change.verdict).toBe('irreversible');
    expect(change.reason).toMatch(/rounds/);
  });

  it('timestamp → date drops the time of day: irreversible', () => {
    expect(onlyChange('ALTER TABLE users ALTER COLUMN seen_at TYPE date;', { prior }).verdict).toBe('irreversible');
  });

  it('reverts a text conversion with USING, and never with an explicit cast to a bounded string', () => {
    expect(onlyChange('ALTER TABLE users ALTER COLUMN age TYPE text;', { prior }).rollback).toEqual([
      'ALTER TABLE public.users ALTER COLUMN age TYPE integer USING age::integer;',
    ]);
    expect(onlyChange('ALTER TABLE users ALTER COLUMN code TYPE text;', { prior }).rollback).toEqual([
      'ALTER TABLE public.users ALTER COLUMN code TYPE character varying(20);',
    ]);
  });

  it('a USING expression other than a plain cast is risky', () => {
    const change = onlyChange("ALTER TABLE users ALTER COLUMN score TYPE text USING score || ' points';", { prior });
    expect(change.verdict).toBe('risky');
    expect(change.reason).toMatch(/USING expression/);
  });
});

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
