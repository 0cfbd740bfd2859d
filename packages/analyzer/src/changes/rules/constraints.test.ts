import { describe, expect, it } from 'vitest';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('add-constraint, drop-constraint', () => {
  it.each([
    ['ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;'],
    ['ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);'],
    ['ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);'],
  ])('a named constraint is dropped again before the old app is deployed: %s', (sql) => {
    const change = onlyChange(sql);
    expect(change.kind).toBe('add_constraint');
    expect(change.verdict).toBe('safe');
    expect(change.rollback[0]).toMatch(/^ALTER TABLE public\.orders DROP CONSTRAINT orders_\w+;$/);
  });

  it('is risky unnamed, with USING INDEX, and for a primary key (NOT NULL stays)', () => {
    expect(onlyChange('ALTER TABLE orders ADD CHECK (total > 0);')).toMatchObject({ verdict: 'risky', rollback: [] });
    expect(onlyChange('ALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX orders_code_idx;').verdict).toBe('risky');
    const primary = onlyChange('ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);');
    expect(primary.verdict).toBe('risky');
    expect(primary.reason).toMatch(/NOT NULL/);
  });

  it('a dropped constraint needs its prior definition', () => {
    expect(onlyChange('ALTER TABLE orders DROP CONSTRAINT orders_user_fk;')).toMatchObject({
      kind: 'drop_constraint',
      object: 'public.orders.orders_user_fk',
      verdict: 'risky',
    });
  });
});

describe('set-not-null, drop-not-null, set-default, drop-default', () => {
  it('SET NOT NULL ↔ DROP NOT NULL', () => {
    expect(onlyChange('ALTER TABLE users ALTER COLUMN email SET NOT NULL;')).toMatchObject({
      kind: 'set_not_null',
      verdict: 'safe',
      rollback: ['ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;'],
    });
    const drop = onlyChange('ALTER TABLE users ALTER COLUMN email DROP NOT NULL;');
    expect(drop).toMatchObject({ kind: 'drop_not_null', verdict: 'safe', rollback: ['ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;'] });
    expect(drop.reason).toMatch(/while no NULL has been written/);
  });

  it('defaults need the prior default', () => {
    expect(onlyChange("ALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';")).toMatchObject({ kind: 'set_default', verdict: 'risky' });
    expect(onlyChange('ALTER TABLE users ALTER COLUMN role DROP DEFAULT;')).toMatchObject({ kind: 'drop_default', verdict: 'risky' });
  });

  it('a default or NOT NULL on a column the migration adds is undone with it; the backfill only when no trigger fires', () => {
    const changes = changesOf(
      "ALTER TABLE users ADD COLUMN role text;\nALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';\nUPDATE users SET role = 'member';\nALTER TABLE users ALTER COLUMN role SET NOT NULL;",
    );
    expect(changes.map((c) => [c.kind, c.verdict, c.rollback.length])).toEqual([
      ['add_column', 'safe', 1],
      ['set_default', 'safe', 0],
      // Without the prior schema, the triggers an UPDATE of users fires are unknown (test/adversarial has the rest).
      ['data_change', 'risky', 0],
      ['set_not_null', 'safe', 0],
    ]);
    expect(changes[2]!.reason).toMatch(/triggers and rules of users are unknown without the prior schema/);
    expect(changes[1]!.reason).toMatch(/Undone with the column public\.users\.role/);
  });
});
