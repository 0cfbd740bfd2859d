import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { setNotNull } from './set-not-null.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('set-not-null', () => {
  it('goes through a validated CHECK, then drops it', () => {
    const nullable = "EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') AND attname = 'email' AND attnum > 0 AND NOT attisdropped AND NOT attnotnull)";
    const check = "SELECT FROM pg_catalog.pg_constraint WHERE conrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') AND conname = 'email_not_null_migcheck'";
    expect(online('ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;')).toEqual([
      {
        sql: `DO $migcheck$ BEGIN IF ${nullable} AND NOT EXISTS (${check}) THEN ALTER TABLE IF EXISTS public.users ADD CONSTRAINT email_not_null_migcheck CHECK (email IS NOT NULL) NOT VALID; END IF; END $migcheck$;`,
        lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false,
      },
      {
        sql: `DO $migcheck$ BEGIN IF EXISTS (${check} AND NOT convalidated) THEN ALTER TABLE IF EXISTS public.users VALIDATE CONSTRAINT email_not_null_migcheck; END IF; END $migcheck$;`,
        lock: 'SHARE UPDATE EXCLUSIVE on public.users', scans: true, transactional: true, blocks: false,
      },
      {
        sql: `DO $migcheck$ BEGIN IF ${nullable} THEN ALTER TABLE IF EXISTS public.users ALTER COLUMN email SET NOT NULL; END IF; END $migcheck$;`,
        lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false,
      },
      { sql: 'ALTER TABLE IF EXISTS public.users DROP CONSTRAINT IF EXISTS email_not_null_migcheck;', lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false },
    ]);
    expect(setNotNull.kind).toBe('SET NOT NULL');
  });
});
