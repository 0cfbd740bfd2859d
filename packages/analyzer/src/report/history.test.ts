import { describe, expect, test } from 'vitest';
import type { Migration, MigrationDirectory } from '../source/discover.js';
import { completeHistory } from './history.js';

/** A directory of `count` migrations, those at `codeAt` written in Go; `reads` counts reads of its list's elements. */
function directory(count: number, codeAt: number[]): { folder: MigrationDirectory; reads: { count: number } } {
  const reads = { count: 0 };
  const folder = { path: 'm', layout: 'goose', migrations: [] as Migration[], notes: [] } as unknown as MigrationDirectory;
  const migrations = Array.from({ length: count }, (_, index): Migration => {
    const path = `m/${index}.${codeAt.includes(index) ? 'go' : 'sql'}`;
    return {
      id: String(index), version: String(index), name: 'm', layout: 'goose', path, index, directory: folder,
      up: { path, absolutePath: `/${path}`, text: '' },
      ...(codeAt.includes(index) ? { code: { language: 'go' } } : {}),
    } as unknown as Migration;
  });
  folder.migrations = new Proxy(migrations, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads.count++;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { folder, reads };
}

describe('completeHistory', () => {
  test('a code step leaves every later migration of its folder with an unknown prior schema, from the first one', () => {
    const { folder } = directory(6, [2, 4]);
    const notes = completeHistory(folder.migrations, undefined);
    expect([...notes.keys()].map((migration) => migration.index)).toEqual([3, 4, 5]);
    for (const note of notes.values()) {
      expect(note).toEqual({
        replayed: 2,
        failure: 'm/2.go: a migration written in Go cannot be read or replayed by migcheck; the schema after it is unknown',
        failedMigration: 'm/2.go',
        cause: 'code',
      });
    }
  });

  test('costs time in proportion to the history, not its square (a history of 5,000 migrations lints in a blink)', () => {
    const count = 5_000;
    const { folder, reads } = directory(count, [count - 10]);
    const notes = completeHistory(folder.migrations, undefined);
    expect(notes.size).toBe(9);
    expect(reads.count).toBeLessThan(10 * count);
  });

  test('as does a replay failure said for every later migration', () => {
    const count = 5_000;
    const { folder, reads } = directory(count, []);
    const migrations = [...folder.migrations];
    const failure = { replayed: 2500, failure: 'm/2500.sql:1:1: syntax error', failedMigration: 'm/2500.sql' };
    const notes = new Map(migrations.slice(2501).map((migration) => [migration, failure]));
    reads.count = 0;
    const completed = completeHistory(migrations, notes);
    expect(completed.size).toBe(count - 2501);
    expect(completed.get(migrations[3000]!)).toEqual({ ...failure, cause: 'failed' });
    expect(reads.count).toBeLessThan(10 * count);
  });
});
