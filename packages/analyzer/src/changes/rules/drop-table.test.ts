import { describe, expect, it } from 'vitest';
import { changesOf } from '../../../../../test/helpers/analyze.js';

describe('drop-table', () => {
  it('is irreversible for every table named', () => {
    const changes = changesOf('DROP TABLE IF EXISTS orders, billing.invoices CASCADE;');
    expect(changes.map((c) => [c.kind, c.object, c.verdict])).toEqual([
      ['drop_table', 'public.orders', 'irreversible'],
      ['drop_table', 'billing.invoices', 'irreversible'],
    ]);
    expect(changes[0]!.reason).toMatch(/CASCADE/);
  });
});
