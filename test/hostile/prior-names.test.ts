/**
 * Hostile names on the catalog path: names with line breaks and escape sequences are printed as `U&"…"` in
 * migcheck's SQL, while the server deparses them raw inside quotes. Finding such a name inside a view's
 * definition or a foreign key's REFERENCES clause must still work, or a rollback would wrongly look complete.
 */
import { describe, expect, it } from 'vitest';
import { changesOf } from '../helpers/analyze.js';
import { priorOf } from '../helpers/prior.js';
import { quoteIdentForTest as q } from './hostile.js';

const table = 't\nDROP TABLE orders; --';
const view = 'v\x1b[31m';

describe('catalog look-ups with hostile names', () => {
  it('CREATE OR REPLACE VIEW: a view that depends on it is found, so the rollback is not safe', async () => {
    const prior = await priorOf(`
      CREATE TABLE ${q(table)} (id int PRIMARY KEY);
      CREATE VIEW ${q(view)} AS SELECT id FROM ${q(table)};
      CREATE VIEW dependent AS SELECT id FROM ${q(view)};
    `);
    const [change] = changesOf(`CREATE OR REPLACE VIEW ${q(view)} AS SELECT id FROM ${q(table)} WHERE id > 0;`, { prior });
    expect(change).toMatchObject({ rule: 'replace-object', verdict: 'risky' });
    expect(change!.reason).toContain('public.dependent');
  });

  it('dropping a primary key: the foreign keys that reference its table are recreated too', async () => {
    const prior = await priorOf(`
      CREATE TABLE ${q(table)} (id int CONSTRAINT pk PRIMARY KEY);
      CREATE TABLE child (parent int CONSTRAINT child_parent REFERENCES ${q(table)});
    `);
    const [change] = changesOf(`ALTER TABLE ${q(table)} DROP CONSTRAINT pk CASCADE;`, { prior });
    expect(change!.rollback.join('\n')).toContain('ADD CONSTRAINT child_parent FOREIGN KEY');
  });
});
