/** Rules with the prior schema read from a real Postgres catalog (evidence `catalog`). */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';
import { priorOf } from '../../../../../test/helpers/prior.js';

let prior: SchemaSnapshot;
beforeAll(async () => {
  prior = await priorOf(`
    CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2) DEFAULT 0 NOT NULL, note text);
    CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
    CREATE VIEW biggest_orders AS SELECT id FROM big_orders WHERE total > 1000;
    CREATE VIEW lonely AS SELECT 1 AS one;
    CREATE INDEX orders_note_idx ON orders (note);
  `);
});

describe('rules with the prior schema', () => {
  it('a replaced view that other views depend on cannot simply be dropped and recreated: risky', () => {
    const change = onlyChange('CREATE OR REPLACE VIEW big_orders AS SELECT id, total, note FROM orders WHERE total > 100;', { prior });
    expect(change).toMatchObject({ kind: 'replace_object', verdict: 'risky', evidence: 'catalog' });
    expect(change.reason).toMatch(/public\.biggest_orders depends on it/);
    expect(onlyChange('CREATE OR REPLACE VIEW lonely AS SELECT 2 AS one;', { prior })).toMatchObject({ verdict: 'safe', evidence: 'catalog' });
  });

  it('defaults, nullability and dropped indexes come back from the catalog', () => {
    expect(onlyChange('ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;', { prior })).toMatchObject({
      verdict: 'safe',
      evidence: 'catalog',
      rollback: ["ALTER TABLE public.orders ALTER COLUMN total SET DEFAULT 0;"],
    });
    expect(onlyChange('ALTER TABLE orders ALTER COLUMN total SET NOT NULL;', { prior })).toMatchObject({ verdict: 'safe', rollback: [] });
    expect(onlyChange('DROP INDEX orders_note_idx;', { prior })).toMatchObject({
      verdict: 'safe',
      rollback: ['CREATE INDEX orders_note_idx ON public.orders USING btree (note);'],
    });
  });

  it('a statement after another that touched the same object does not trust the migration-level prior', () => {
    const changes = changesOf('DROP INDEX orders_note_idx;\nCREATE INDEX IF NOT EXISTS orders_note_idx ON orders (lower(note));', { prior });
    expect(changes[0]).toMatchObject({ kind: 'drop_index', verdict: 'safe', evidence: 'catalog' });
    // Without the guard this would read "existed before, IF NOT EXISTS did nothing" and roll back nothing.
    expect(changes[1]).toMatchObject({ kind: 'add_index', verdict: 'risky', evidence: 'static', rollback: ['DROP INDEX public.orders_note_idx;'] });
  });

  it('the guard tells overloads apart, and a comment does not hide what the prior schema says', () => {
    const overloads = changesOf("CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE OR REPLACE FUNCTION f(a text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;", { prior });
    expect(overloads.map((c) => c.evidence)).toEqual(['catalog', 'catalog']);
    const commented = changesOf("COMMENT ON INDEX orders_note_idx IS 'x';\nCREATE INDEX IF NOT EXISTS orders_note_idx ON orders (note);", { prior });
    expect(commented[1]).toMatchObject({ verdict: 'safe', evidence: 'catalog', rollback: [] });
    const twice = changesOf('ALTER TABLE orders ALTER COLUMN total SET DEFAULT 5, ALTER COLUMN total DROP DEFAULT;', { prior });
    expect(twice.map((c) => [c.verdict, c.evidence])).toEqual([['safe', 'catalog'], ['risky', 'static']]);
  });

  it('an object missing from the prior schema stays risky', () => {
    expect(onlyChange('DROP INDEX no_such_idx;', { prior })).toMatchObject({ verdict: 'risky', evidence: 'catalog' });
    expect(onlyChange('ALTER TABLE orders ALTER COLUMN missing SET DEFAULT 1;', { prior })).toMatchObject({ verdict: 'risky', evidence: 'catalog' });
  });
});
