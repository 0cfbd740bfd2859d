import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { createObject } from './create-object.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('create-object', () => {
  it('guards what has no IF NOT EXISTS by the catalog', () => {
    expect(online('CREATE VIEW public.v AS SELECT 1 AS one;')[0]!.sql).toBe("DO $migcheck$ BEGIN IF (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'v') IS NULL THEN CREATE VIEW public.v AS SELECT 1 AS one; END IF; END $migcheck$;");
    expect(online("CREATE TYPE public.mood AS ENUM ('a');")[0]!.sql).toContain("IF (SELECT o.oid FROM pg_catalog.pg_type AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.typnamespace WHERE n.nspname = 'public' AND o.typname = 'mood') IS NULL THEN");
    expect(online('CREATE POLICY p ON public.users USING (true);')[0]).toMatchObject({ lock: 'ACCESS EXCLUSIVE on public.users' });
    expect(online('CREATE TRIGGER t BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION f();')[0]).toMatchObject({ lock: 'SHARE ROW EXCLUSIVE on public.users' });
    expect(online('CREATE SEQUENCE public.s;')[0]!.sql).toBe('CREATE SEQUENCE IF NOT EXISTS public.s;');
    expect(createObject.kind).toContain('CREATE VIEW');
  });
});
