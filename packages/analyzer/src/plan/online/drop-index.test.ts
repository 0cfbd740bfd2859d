import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { dropIndex } from './drop-index.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('drop-index', () => {
  it('drops each index CONCURRENTLY IF EXISTS, one per statement', () => {
    expect(online('DROP INDEX public.a_idx, b_idx;')).toEqual([
      { sql: 'DROP INDEX CONCURRENTLY IF EXISTS public.a_idx;', lock: 'SHARE UPDATE EXCLUSIVE on the table of public.a_idx', scans: false, transactional: false, blocks: false },
      { sql: 'DROP INDEX CONCURRENTLY IF EXISTS b_idx;', lock: 'SHARE UPDATE EXCLUSIVE on the table of b_idx', scans: false, transactional: false, blocks: false },
    ]);
  });
  it('keeps CASCADE, which has no concurrent form, with IF EXISTS', () => {
    expect(online('DROP INDEX a_idx CASCADE;')[0]).toMatchObject({ sql: 'DROP INDEX IF EXISTS a_idx CASCADE;', transactional: true });
    expect(dropIndex.kind).toBe('DROP INDEX');
  });
});
