import { describe, expect, it } from 'vitest';
import { analyzeSql, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('drop-column (seed: Dropped Column)', () => {
  it('is irreversible, forward fix only, with the seed\'s three options', () => {
    const change = onlyChange('ALTER TABLE users DROP COLUMN phone;');
    expect(change).toMatchObject({ kind: 'drop_column', object: 'public.users.phone', verdict: 'irreversible', rollback: [] });
    const [analyzed] = analyzeSql('ALTER TABLE users DROP COLUMN phone;');
    expect(analyzed!.assessment.options?.map((option) => option.split(':')[0])).toEqual([
      'Restore from backup',
      'Accept data loss',
      'Recreate from logs',
    ]);
  });

  it('says what CASCADE adds', () => {
    expect(onlyChange('ALTER TABLE users DROP COLUMN phone CASCADE;').reason).toMatch(/CASCADE/);
  });

  it('is not undone by anything, even in a migration that created the column', () => {
    // Dropping a column the same migration added loses nothing, but the add's own DROP COLUMN would then fail;
    // migcheck keeps the conservative verdict.
    const changes = analyzeSql('ALTER TABLE users ADD COLUMN x int; ALTER TABLE users DROP COLUMN x;');
    expect(changes[1]!.assessment.verdict).toBe('irreversible');
  });
});
