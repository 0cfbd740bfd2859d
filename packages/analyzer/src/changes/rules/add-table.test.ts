import { describe, expect, it } from 'vitest';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('add-table (seed: Added Table)', () => {
  it('is safe until it holds rows, rolled back by DROP TABLE', () => {
    const change = onlyChange('CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2) NOT NULL);');
    expect(change).toMatchObject({ kind: 'add_table', object: 'public.orders', verdict: 'safe', rollback: ['DROP TABLE public.orders;'] });
    expect(change.reason).toMatch(/until it holds rows/);
  });

  it('is risky with IF NOT EXISTS', () => {
    expect(onlyChange('CREATE TABLE IF NOT EXISTS orders (id int);').verdict).toBe('risky');
  });

  it('is risky when created with rows (CREATE TABLE AS, SELECT INTO)', () => {
    expect(onlyChange('CREATE TABLE archive AS SELECT * FROM orders;')).toMatchObject({ kind: 'add_table', verdict: 'risky' });
    expect(onlyChange('SELECT * INTO archive FROM orders;')).toMatchObject({ kind: 'add_table', verdict: 'risky' });
    expect(onlyChange('CREATE TABLE empty_copy AS SELECT * FROM orders WITH NO DATA;').verdict).toBe('safe');
  });

  it('needs no rollback for a temporary table', () => {
    expect(onlyChange('CREATE TEMP TABLE scratch (id int);')).toMatchObject({ verdict: 'safe', rollback: [] });
  });

  it('undoes everything else the same migration does to the new table', () => {
    const changes = changesOf(`
      CREATE TABLE orders (id bigint);
      ALTER TABLE orders ADD COLUMN total numeric, ALTER COLUMN id TYPE integer, ADD CHECK (total > 0);
      CREATE INDEX ON orders (total);
      INSERT INTO orders VALUES (1, 2);
      ALTER TABLE orders RENAME TO purchases;
      CREATE INDEX purchases_idx ON purchases (id);
    `);
    expect(changes.map((c) => [c.kind, c.verdict, c.rollback.length])).toEqual([
      ['add_table', 'safe', 1],
      ['add_column', 'safe', 0],
      ['alter_column_type', 'safe', 0],
      ['add_constraint', 'safe', 0],
      ['add_index', 'safe', 0],
      ['data_change', 'safe', 0],
      ['rename_table', 'safe', 1], // renamed back first, so DROP TABLE finds it
      ['add_index', 'safe', 0],
    ]);
  });
});
