import { describe, expect, test } from 'vitest';
import type { SchemaSnapshot } from '../catalog/index.js';
import { anonymiseReplayRole } from './sandbox.js';

/** A snapshot with one schema and one table (not every field: anonymising does not read the record types). */
function snapshotWith(table: Record<string, unknown>, schemaName = 'public'): SchemaSnapshot {
  return {
    schemas: Object.fromEntries([[schemaName, { name: schemaName, owner: 'replayer', privileges: [], comment: null }]]),
    tables: { 'public.t': table },
  } as unknown as SchemaSnapshot;
}

const table = () => ({
  owner: 'replayer',
  privileges: ['replayer=arwdDxtm/replayer', 'app=r/replayer'],
  columns: Object.fromEntries([['__proto__', { name: '__proto__', privileges: [] }]]),
});

describe('anonymiseReplayRole', () => {
  test('drops the replay role as owner and grantee, names it SANDBOX as grantor, and keeps "__proto__" as data', () => {
    const anonymised = anonymiseReplayRole(snapshotWith(table(), '__proto__'), 'replayer') as unknown as {
      schemas: Record<string, { owner: string | null }>;
      tables: Record<string, { owner: string | null; privileges: string[]; columns: Record<string, { name: string }> }>;
    };
    expect(Object.keys(anonymised.schemas)).toEqual(['__proto__']);
    expect(Object.hasOwn(anonymised.schemas, '__proto__')).toBe(true);
    expect(anonymised.schemas['__proto__']!.owner).toBeNull();
    const t = anonymised.tables['public.t']!;
    expect(t.owner).toBeNull();
    expect(t.privileges).toEqual(['app=r/migcheck_sandbox']);
    expect(Object.hasOwn(t.columns, '__proto__')).toBe(true);
    expect(t.columns['__proto__']!.name).toBe('__proto__');
  });

  test('a record shared by two readings is anonymised once per role', () => {
    const shared = table();
    const first = anonymiseReplayRole(snapshotWith(shared), 'replayer');
    const second = anonymiseReplayRole(snapshotWith(shared), 'replayer');
    expect(second.tables['public.t']).toBe(first.tables['public.t']);
    const otherRole = anonymiseReplayRole(snapshotWith(shared), 'someone_else');
    expect(otherRole.tables['public.t']).not.toBe(first.tables['public.t']);
    expect(otherRole.tables['public.t']!.owner).toBe('replayer');
  });
});
