import { describe, expect, it } from 'vitest';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('add-column (seed: Added Column)', () => {
  it('is safe right after apply, rolled back by DROP COLUMN after the old app is deployed', () => {
    const change = onlyChange('ALTER TABLE users ADD COLUMN email text;');
    expect(change).toMatchObject({
      kind: 'add_column',
      rule: 'add-column',
      object: 'public.users.email',
      verdict: 'safe',
      evidence: 'static',
      line: 1,
      column: 1,
      rollback: ['ALTER TABLE public.users DROP COLUMN email;'],
    });
    expect(change.reason).toMatch(/until the column holds data/);
  });

  it('quotes identifiers that need it and keeps the schema', () => {
    const change = onlyChange('ALTER TABLE "Billing"."Order Lines" ADD COLUMN "user" integer;');
    expect(change.object).toBe('Billing.Order Lines.user');
    expect(change.rollback).toEqual(['ALTER TABLE "Billing"."Order Lines" DROP COLUMN "user";']);
  });

  it('is risky with IF NOT EXISTS: the column may have existed, with data', () => {
    const change = onlyChange('ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;');
    expect(change.verdict).toBe('risky');
    expect(change.reason).toMatch(/may have existed/);
  });

  it('yields one change per subcommand, each pointing at its column', () => {
    const changes = changesOf('ALTER TABLE users\n  ADD COLUMN a int,\n  ADD COLUMN b text;');
    expect(changes.map((c) => [c.object, c.line, c.column])).toEqual([
      ['public.users.a', 2, 14],
      ['public.users.b', 3, 14],
    ]);
  });

  it('follows SET search_path for unqualified names', () => {
    expect(onlyChange('SET search_path TO app, public; ALTER TABLE users ADD COLUMN x int;').object).toBe('app.users.x');
  });

  it('is safe for a generated column (its values are computed)', () => {
    const change = onlyChange('ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (a + b) STORED;');
    expect(change.verdict).toBe('safe');
    expect(change.reason).toMatch(/computed/);
  });

  it('leaves ALTER TYPE … ADD ATTRIBUTE to alter-object', () => {
    expect(onlyChange('ALTER TYPE address ADD ATTRIBUTE zip text;')).toMatchObject({
      kind: 'alter_object',
      rollback: ['ALTER TYPE public.address DROP ATTRIBUTE zip;'],
    });
  });
});
