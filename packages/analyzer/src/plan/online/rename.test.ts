import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { rename } from './rename.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('rename', () => {
  it('renames back only while the old name exists', () => {
    expect(online('ALTER TABLE public.people RENAME TO users;')[0]!.sql).toBe('ALTER TABLE IF EXISTS public.people RENAME TO users;');
    expect(online('ALTER INDEX public.a_idx RENAME TO b_idx;')[0]!.sql).toBe('ALTER INDEX IF EXISTS public.a_idx RENAME TO b_idx;');
    expect(online('ALTER TABLE public.users RENAME COLUMN full_name TO name;')[0]!.sql).toContain("attname = 'full_name'");
    expect(online('ALTER SCHEMA new_name RENAME TO old_name;')[0]!.sql).toContain("nspname = 'new_name'");
    expect(online('ALTER FUNCTION public.g(integer) SET SCHEMA archive;')[0]!.sql).toContain("proname = 'g'");
    expect(online("ALTER TYPE public.mood RENAME VALUE 'blue' TO 'sad';")[0]!.sql).toContain("enumlabel = 'blue'");
    expect(rename.kind).toBe('RENAME');
  });
});
