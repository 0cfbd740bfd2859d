import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { dropColumn } from './column-commands.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('column-commands', () => {
  it('drops columns and constraints IF EXISTS, catalog only', () => {
    expect(online('ALTER TABLE public.users DROP COLUMN email;')).toEqual([
      { sql: 'ALTER TABLE IF EXISTS public.users DROP COLUMN IF EXISTS email;', lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false },
    ]);
    expect(online('ALTER TABLE public.users DROP CONSTRAINT users_email_key CASCADE;')[0]!.sql).toBe('ALTER TABLE IF EXISTS public.users DROP CONSTRAINT IF EXISTS users_email_key CASCADE;');
    expect(online('ALTER TABLE public.users ALTER COLUMN id DROP IDENTITY;')[0]!.sql).toBe('ALTER TABLE IF EXISTS public.users ALTER COLUMN id DROP IDENTITY IF EXISTS;');
    expect(online("ALTER TABLE public.users ALTER COLUMN email SET DEFAULT 'x';")[0]!.sql).toContain(
      "AND (SELECT pg_catalog.pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef WHERE adrelid = attrelid AND adnum = attnum) IS DISTINCT FROM '''x''') THEN ALTER TABLE public.users ALTER COLUMN email SET DEFAULT 'x'; END IF;",
    );
    expect(online('ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;')[0]!.sql).toContain("attname = 'email' AND attnum > 0 AND NOT attisdropped AND attnotnull) THEN");
    expect(online('ALTER TABLE public.users ALTER COLUMN email DROP DEFAULT;')[0]!.sql).toContain('AND atthasdef) THEN');
    expect(dropColumn.kind).toBe('DROP COLUMN');
  });
  it('leaves an ALTER TABLE with several subcommands as written, its lock unknown', () => {
    expect(online('ALTER TABLE public.users DROP COLUMN a, DROP COLUMN b;')[0]!.lock).toMatch(/^unknown/);
  });
});
