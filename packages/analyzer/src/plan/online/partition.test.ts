import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { partition } from './partition.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('partition', () => {
  it('detaches and attaches only while still to do', () => {
    expect(online('ALTER TABLE public.events DETACH PARTITION public.events_1;')[0]!.sql).toBe(
      "DO $migcheck$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_inherits WHERE inhrelid = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'events_1') AND inhparent = (SELECT o.oid FROM pg_catalog.pg_class AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.relnamespace WHERE n.nspname = 'public' AND o.relname = 'events')) THEN ALTER TABLE public.events DETACH PARTITION public.events_1; END IF; END $migcheck$;",
    );
    expect(online('ALTER TABLE public.events ATTACH PARTITION public.events_1 FOR VALUES FROM (0) TO (10);')[0]).toMatchObject({ scans: true });
    expect(partition.kind).toContain('PARTITION');
  });
});
