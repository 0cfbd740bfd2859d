import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { alterColumnType } from './alter-column-type.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('alter-column-type', () => {
  it('has no online form: runs as written and says it rewrites and blocks, with the alternative', () => {
    const [revert] = onlineSteps(step('ALTER TABLE public.users ALTER COLUMN age TYPE integer;'));
    expect(revert).toMatchObject({
      sql: "DO $migcheck$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'users') AND attname = 'age' AND attnum > 0 AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) <> 'integer') THEN ALTER TABLE public.users ALTER COLUMN age TYPE integer; END IF; END $migcheck$;",
      lock: 'ACCESS EXCLUSIVE on public.users',
      scans: true,
    });
    expect(onlineSteps(step('ALTER TABLE public.t ALTER COLUMN v TYPE character varying(40) USING v::character varying(40);'))[0]!.sql).toContain("<> 'character varying(40)') THEN");
    expect(revert!.effect).toContain('rewrites the table');
    expect(revert!.blocksWrites?.alternative).toContain('keep the new type of public.users.age');
    expect(alterColumnType.kind).toBe('ALTER COLUMN TYPE');
  });
});
