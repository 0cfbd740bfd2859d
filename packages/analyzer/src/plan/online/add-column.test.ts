import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { addColumn } from './add-column.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('add-column', () => {
  it('adds the column IF NOT EXISTS; a default computed per row rewrites and blocks', () => {
    expect(online("ALTER TABLE public.users ADD COLUMN status text DEFAULT 'new' NOT NULL;")).toEqual([
      { sql: "ALTER TABLE IF EXISTS public.users ADD COLUMN IF NOT EXISTS status text DEFAULT 'new' NOT NULL;", lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false },
    ]);
    expect(online('ALTER TABLE public.users ADD token uuid DEFAULT gen_random_uuid();')[0]).toMatchObject({ blocks: true, scans: true });
    expect(online('ALTER TABLE public.users ADD seq bigserial;')[0]).toMatchObject({ sql: 'ALTER TABLE IF EXISTS public.users ADD COLUMN IF NOT EXISTS seq bigserial;', blocks: true });
    expect(addColumn.kind).toBe('ADD COLUMN');
  });
});
