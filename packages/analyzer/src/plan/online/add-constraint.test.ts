import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { addConstraint } from './add-constraint.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('add-constraint', () => {
  it('adds a CHECK NOT VALID behind a pg_constraint guard, then validates it', () => {
    expect(online('ALTER TABLE public.users ADD CONSTRAINT users_age_check CHECK (age > 0);')).toEqual([
      {
        sql: "DO $migcheck$ BEGIN IF (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') AND conname = 'users_age_check') THEN ALTER TABLE IF EXISTS public.users ADD CONSTRAINT users_age_check CHECK (age > 0) NOT VALID; END IF; END $migcheck$;",
        lock: 'ACCESS EXCLUSIVE on public.users', scans: false, transactional: true, blocks: false,
      },
      {
        sql: "DO $migcheck$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') AND conname = 'users_age_check' AND NOT convalidated) THEN ALTER TABLE IF EXISTS public.users VALIDATE CONSTRAINT users_age_check; END IF; END $migcheck$;",
        lock: 'SHARE UPDATE EXCLUSIVE on public.users', scans: true, transactional: true, blocks: false,
      },
    ]);
  });
  it('adds a foreign key NOT VALID under SHARE ROW EXCLUSIVE on both tables', () => {
    const [add, validate] = online('ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users (id);');
    expect(add!.lock).toBe('SHARE ROW EXCLUSIVE on public.orders and public.users');
    expect(add!.sql).toContain('REFERENCES public.users (id) NOT VALID; END IF;');
    expect(validate!.sql).toContain('THEN ALTER TABLE IF EXISTS public.orders VALIDATE CONSTRAINT orders_user_fk; END IF;');
  });
  it('builds a unique constraint from an index built CONCURRENTLY', () => {
    const [leftover, build, attach] = online('ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);');
    expect(leftover!.sql).toContain("indexrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users_email_key') AND NOT indisvalid) THEN DROP INDEX public.users_email_key;");
    expect(build).toMatchObject({ sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON public.users (email);', transactional: false });
    expect(attach!.sql).toContain('ALTER TABLE IF EXISTS public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key; END IF;');
  });
  it('quotes every name in the guard, and picks a dollar tag the statement does not hold', () => {
    const [add] = online(`ALTER TABLE public."it's" ADD CONSTRAINT "$migcheck$" CHECK (a <> '$migcheck$');`);
    expect(add!.sql).toMatch(/^DO \$migcheck1\$ BEGIN IF \(SELECT o\.oid FROM pg_catalog\.pg_class AS o JOIN pg_catalog\.pg_namespace AS n ON n\.oid = o\.relnamespace WHERE n\.nspname = 'public' AND o\.relname = 'it''s'\)/);
    expect(add!.sql).toContain(`conname = '$migcheck$'`);
  });
  it('finds a table whose name only a U&"…" escape can write, as the catalog has it', () => {
    const [add] = online('ALTER TABLE public.U&"we""ird\\000Aname" ADD CONSTRAINT c CHECK (a > 0);');
    expect(add!.sql).toContain("n.nspname = 'public' AND o.relname = E'we\"ird\\x0Aname'");
  });
  it('says an unnamed constraint blocks writes for its scan', () => {
    expect(online('ALTER TABLE public.users ADD CHECK (age > 0);')[0]).toMatchObject({ blocks: true, scans: true });
    expect(addConstraint.kind).toBe('ADD CONSTRAINT');
  });
});
