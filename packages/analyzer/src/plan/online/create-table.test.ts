import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { createTableAs } from './create-table.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('create-table', () => {
  it('creates a table IF NOT EXISTS', () => {
    expect(online('CREATE TABLE public.orders (id int PRIMARY KEY);')[0]!.sql).toBe('CREATE TABLE IF NOT EXISTS public.orders (id int PRIMARY KEY);');
  });
  it('takes a backup once: guarded by the backup table', () => {
    expect(online('CREATE TABLE migcheck_backup.users__email AS SELECT id, email FROM public.users WHERE email IS NOT NULL;')).toEqual([
      {
        sql: "DO $migcheck$ BEGIN IF (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'migcheck_backup' AND o.relname = 'users__email') IS NULL THEN CREATE TABLE migcheck_backup.users__email AS SELECT id, email FROM public.users WHERE email IS NOT NULL; END IF; END $migcheck$;",
        lock: 'ACCESS SHARE on the tables it reads', scans: true, transactional: true, blocks: false,
      },
    ]);
    expect(online('CREATE SCHEMA IF NOT EXISTS migcheck_backup;')[0]!.sql).toBe('CREATE SCHEMA IF NOT EXISTS migcheck_backup;');
    expect(createTableAs.kind).toBe('CREATE TABLE AS');
  });
});
