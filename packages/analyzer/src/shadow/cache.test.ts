import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { SchemaSnapshot } from '../catalog/index.js';
import type { Migration } from '../source/discover.js';
import { defaultCacheDir, HistoryHashChain, historyStartHash, SnapshotCache } from './cache.js';

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migcheck-cache-test-'));
  temporary.push(dir);
  return dir;
}

/** Just what the hash chain reads: id and up text (a getter that may throw, like an unreadable file). */
function migration(id: string, text: string | (() => string)): Migration {
  const up = { path: `m/${id}.sql`, absolutePath: `/m/${id}.sql`, get text() { return typeof text === 'string' ? text : text(); } };
  return { id, version: id, name: id, layout: 'plain', path: up.path, up, index: 0 } as Migration;
}

const EMPTY_SNAPSHOT = {
  schemas: {}, extensions: {}, enums: {}, compositeTypes: {}, domains: {}, rangeTypes: {}, baseTypes: {}, sequences: {},
  tables: {}, views: {}, materializedViews: {}, indexes: {}, constraints: {}, triggers: {}, policies: {}, functions: {},
} satisfies SchemaSnapshot;

describe('defaultCacheDir', () => {
  test('is $MIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/migcheck, else ~/.cache/migcheck', () => {
    expect(defaultCacheDir({ MIGCHECK_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b' })).toBe('/a');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/b' })).toBe(join('/b', 'migcheck'));
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'migcheck'));
  });
});

describe('the history hash chain', () => {
  const start = historyStartHash({ majorVersion: 18, role: 'postgres' });
  const history = [migration('1_a', 'CREATE TABLE a ();'), migration('2_b', 'CREATE TABLE b ();'), migration('3_c', 'x')];

  test('names each prefix; the empty history is the start hash', () => {
    const chain = new HistoryHashChain(start, history);
    expect(chain.before(0)).toBe(start);
    const hashes = [0, 1, 2, 3].map((k) => chain.before(k));
    expect(new Set(hashes).size).toBe(4);
    expect(hashes.every((hash) => /^[0-9a-f]{64}$/.test(hash!))).toBe(true);
  });

  test('an edit to an earlier migration changes every later name, not the earlier ones', () => {
    const edited = [history[0]!, migration('2_b', 'CREATE TABLE b (id int);'), history[2]!];
    const a = new HistoryHashChain(start, history);
    const b = new HistoryHashChain(start, edited);
    expect(b.before(1)).toBe(a.before(1));
    expect(b.before(2)).not.toBe(a.before(2));
    expect(b.before(3)).not.toBe(a.before(3));
  });

  test('a renamed migration, or a server of another major version or role, is another history', () => {
    const renamed = [migration('1_a_renamed', 'CREATE TABLE a ();')];
    expect(new HistoryHashChain(start, renamed).before(1)).not.toBe(new HistoryHashChain(start, history).before(1));
    expect(historyStartHash({ majorVersion: 15, role: 'postgres' })).not.toBe(start);
    expect(historyStartHash({ majorVersion: 18, role: 'app' })).not.toBe(start);
  });

  test('reads files only as far as asked, and stops at an unreadable one', async () => {
    const { InputError } = await import('../errors.js');
    let thirdRead = false;
    const chain = new HistoryHashChain(start, [
      history[0]!,
      migration('2_bad', () => {
        throw new InputError('m/2_bad.sql', 4, 2, 'cannot read file: not valid UTF-8');
      }),
      migration('3_c', () => ((thirdRead = true), 'x')),
    ]);
    expect(chain.before(1)).toBeDefined();
    expect(chain.unreadable).toBeUndefined();
    expect(chain.before(3)).toBeUndefined();
    expect(chain.before(2)).toBeUndefined();
    expect(chain.unreadable).toEqual({
      index: 1,
      failure: { path: 'm/2_bad.sql', line: 4, column: 2, message: 'cannot read file: not valid UTF-8' },
    });
    expect(thirdRead).toBe(false);
  });
});

describe('SnapshotCache', () => {
  test('stores <dir>/snapshots/<hash>.json, atomically, and reads it back', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir);
    expect(await cache.read('abc')).toBeUndefined();
    await cache.write('abc', EMPTY_SNAPSHOT);
    expect(await readdir(join(dir, 'snapshots'))).toEqual(['abc.json']);
    expect(await cache.read('abc')).toEqual(EMPTY_SNAPSHOT);
  });

  test('a damaged or foreign file is a miss, not an error', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir);
    await cache.write('x', EMPTY_SNAPSHOT);
    await writeFile(join(dir, 'snapshots', 'x.json'), '{"schemas": {}, "tabl');
    expect(await cache.read('x')).toBeUndefined();
    await writeFile(join(dir, 'snapshots', 'x.json'), '[1, 2]');
    expect(await cache.read('x')).toBeUndefined();
  });

  test('a cache that cannot be written is said once, and the analysis goes on', async () => {
    const dir = await temporaryDirectory();
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const problems: string[] = [];
    const cache = new SnapshotCache(join(blocker, 'cache'), (message) => problems.push(message));
    await cache.write('a', EMPTY_SNAPSHOT);
    await cache.write('b', EMPTY_SNAPSHOT);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot write the shadow cache .*; continuing without it/);
  });
});
