/** The rule tester itself: each way a case table can be wrong must fail the case. */
import { describe, expect, it } from 'vitest';
import { addColumn } from '../packages/analyzer/src/changes/rules/add-column.js';
import { dropColumn } from '../packages/analyzer/src/changes/rules/drop-column.js';
import { checkCase } from './helpers/rule-tester.js';

const safeAdd = { verdict: 'safe', evidence: 'static', rollback: ['ALTER TABLE public.users DROP COLUMN email;'] } as const;

describe('ruleTester', () => {
  it('passes a case that matches', async () => {
    await checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', expect: safeAdd });
  });

  it('pins the rule: SQL another rule recognises fails the case', async () => {
    // ALTER TYPE … ADD ATTRIBUTE arrives as an ADD COLUMN subcommand, but alter-object recognises it.
    await expect(checkCase(addColumn, { sql: 'ALTER TYPE address ADD ATTRIBUTE zip text;', expect: { ...safeAdd, rollback: ['ALTER TYPE public.address DROP ATTRIBUTE zip;'] } })).rejects.toThrow(/recognised by alter-object, not add-column/);
  });

  it('compares the rollback SQL exactly', async () => {
    await expect(checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', expect: { ...safeAdd, rollback: ['ALTER TABLE users DROP COLUMN email;'] } })).rejects.toThrow();
  });

  it('checks the reason by substring or pattern', async () => {
    await expect(checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', expect: { ...safeAdd, reason: 'holds rows' } })).rejects.toThrow();
    await checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', expect: { ...safeAdd, reason: /until the column holds data/ } });
  });

  it('fails when the rule asks a data check the case does not answer', async () => {
    await expect(checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', state: 'applied', data: { tableHoldsRows: 'no' }, expect: safeAdd })).rejects.toThrow(/asks columnHoldsData, which the case does not answer/);
  });

  it('fails when the case answers a data check nobody asked', async () => {
    // Pending: the added column does not exist yet, so add-column asks nothing.
    await expect(checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', state: 'pending', data: { columnHoldsData: 'no' }, expect: safeAdd })).rejects.toThrow(/no data check asked/);
  });

  it('fails a data case without a state', async () => {
    await expect(checkCase(dropColumn, { sql: 'ALTER TABLE users DROP COLUMN phone;', data: { columnHoldsData: 'no' }, expect: { verdict: 'safe', evidence: 'data', rollback: [] } })).rejects.toThrow(/names its state/);
  });

  it('an empty expectation means no change at all', async () => {
    await checkCase(addColumn, { sql: 'BEGIN; COMMIT;', expect: [] });
    await expect(checkCase(addColumn, { sql: 'ALTER TABLE users ADD COLUMN email text;', expect: [] })).rejects.toThrow(/no change/);
  });
});
