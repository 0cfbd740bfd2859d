import { describe, expect, it } from 'vitest';
import { onlyChange } from '../../../../../test/helpers/analyze.js';

describe('rename-column, rename-table, rename-object', () => {
  it('renames a column back', () => {
    expect(onlyChange('ALTER TABLE users RENAME COLUMN name TO full_name;')).toMatchObject({
      kind: 'rename_column',
      object: 'public.users.name',
      verdict: 'safe',
      rollback: ['ALTER TABLE public.users RENAME COLUMN full_name TO name;'],
    });
  });

  it('renames a table back, in its schema', () => {
    expect(onlyChange('ALTER TABLE app.users RENAME TO people;')).toMatchObject({
      kind: 'rename_table',
      rollback: ['ALTER TABLE app.people RENAME TO users;'],
    });
  });

  it.each([
    ['ALTER INDEX users_idx RENAME TO people_idx;', 'ALTER INDEX public.people_idx RENAME TO users_idx;'],
    ['ALTER VIEW v RENAME TO w;', 'ALTER VIEW public.w RENAME TO v;'],
    ['ALTER MATERIALIZED VIEW s.m RENAME TO n;', 'ALTER MATERIALIZED VIEW s.n RENAME TO m;'],
    ['ALTER SEQUENCE seq RENAME TO seq2;', 'ALTER SEQUENCE public.seq2 RENAME TO seq;'],
    ['ALTER TABLE t RENAME CONSTRAINT a TO b;', 'ALTER TABLE public.t RENAME CONSTRAINT b TO a;'],
    ['ALTER TRIGGER a ON t RENAME TO b;', 'ALTER TRIGGER b ON public.t RENAME TO a;'],
    ['ALTER POLICY a ON t RENAME TO b;', 'ALTER POLICY b ON public.t RENAME TO a;'],
    ['ALTER FUNCTION f(int, text) RENAME TO g;', 'ALTER FUNCTION public.g(integer, text) RENAME TO f;'],
    ['ALTER TYPE mood RENAME TO feeling;', 'ALTER TYPE public.feeling RENAME TO mood;'],
    ['ALTER SCHEMA a RENAME TO b;', 'ALTER SCHEMA b RENAME TO a;'],
    ["ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';", "ALTER TYPE public.mood RENAME VALUE 'blue' TO 'sad';"],
    ['ALTER TYPE addr RENAME ATTRIBUTE zip TO postcode;', 'ALTER TYPE public.addr RENAME ATTRIBUTE postcode TO zip;'],
  ])('%s → %s', (sql, rollback) => {
    expect(onlyChange(sql)).toMatchObject({ kind: 'rename_object', verdict: 'safe', rollback: [rollback] });
  });

  it('is risky for an object kind it cannot rename back', () => {
    expect(onlyChange('ALTER PUBLICATION p RENAME TO q;')).toMatchObject({ kind: 'rename_object', verdict: 'risky' });
  });
});
