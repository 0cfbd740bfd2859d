import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { dropObject } from './drop-object.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('drop-object', () => {
  it('adds IF EXISTS after the object type, however many words it has', () => {
    expect(online('DROP TABLE public.orders;')).toEqual([
      { sql: 'DROP TABLE IF EXISTS public.orders;', lock: 'ACCESS EXCLUSIVE on public.orders (and on the tables its foreign keys reference)', scans: false, transactional: true, blocks: false },
    ]);
    expect(online('DROP MATERIALIZED VIEW public.totals;')[0]!.sql).toBe('DROP MATERIALIZED VIEW IF EXISTS public.totals;');
    expect(online('DROP FUNCTION public.f(integer);')[0]!.sql).toBe('DROP FUNCTION IF EXISTS public.f(integer);');
    expect(online('DROP TRIGGER t ON public.orders;')[0]!.sql).toBe('DROP TRIGGER IF EXISTS t ON public.orders;');
    expect(dropObject.kind).toBe('DROP');
  });
});
