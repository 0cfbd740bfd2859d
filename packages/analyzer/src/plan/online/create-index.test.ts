import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { createIndex } from './create-index.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('create-index', () => {
  it('builds the index CONCURRENTLY, IF NOT EXISTS, outside a transaction block', () => {
    expect(online('CREATE INDEX users_email_idx ON public.users USING btree (lower(email));')).toEqual([
      {
        sql: "DO $migcheck$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_index WHERE indexrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users_email_idx') AND NOT indisvalid) THEN DROP INDEX public.users_email_idx; END IF; END $migcheck$;",
        lock: 'ACCESS EXCLUSIVE on public.users, only when an interrupted build left public.users_email_idx invalid',
        scans: false,
        transactional: true,
        blocks: false,
      },
      { sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users USING btree (lower(email));', lock: 'SHARE UPDATE EXCLUSIVE on public.users', scans: true, transactional: false, blocks: false },
    ]);
    expect(online('CREATE UNIQUE INDEX CONCURRENTLY "Odd idx" ON "Sch"."T" (a);')[1]!.sql).toBe('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Odd idx" ON "Sch"."T" (a);');
  });
  it('recognises only CREATE INDEX', () => {
    expect(createIndex.kind).toBe('CREATE INDEX');
  });
});
