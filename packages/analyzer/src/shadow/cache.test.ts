import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { SchemaSnapshot } from '../catalog/index.js';
import type { Migration } from '../source/discover.js';
import { defaultCacheDir, HistoryHashChain, historyStartHash, SnapshotCache } from './cache.js';
import { MAX_DEPTH } from './snapshot-file.js';

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
  const snapshot = (columns: Record<string, string>, extra: Partial<SchemaSnapshot> = {}): SchemaSnapshot => ({
    ...EMPTY_SNAPSHOT,
    schemas: { public: { name: 'public', owner: 'app', privileges: [], comment: null } },
    tables: { 'public.t': { columns } as unknown as SchemaSnapshot['tables'][string], 'public.u': { columns: {} } as unknown as SchemaSnapshot['tables'][string] },
    ...extra,
  });

  test('stores <dir>/snapshots/<hash>.jsonl, atomically, and reads it back', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir);
    expect(await cache.read('abc')).toBeUndefined();
    await cache.write('abc', EMPTY_SNAPSHOT);
    await cache.settled(); // written behind: settled() waits for the files
    expect(await readdir(join(dir, 'snapshots'))).toEqual(['abc.jsonl']);
    expect(await cache.read('abc')).toEqual(EMPTY_SNAPSHOT);
    const full = snapshot({ a: 'integer', 'b\n"c\u2028': 'text' });
    await cache.write('full', full);
    await cache.settled();
    const read = await new SnapshotCache(dir).read('full');
    expect(read).toEqual(full);
    expect(Object.keys(read!.tables)).toEqual(['public.t', 'public.u']);
  });

  test('written only (for verify): it stores what it is given, and every read misses, its lanes too', async () => {
    const dir = await temporaryDirectory();
    const writeOnly = new SnapshotCache(dir).writeOnly();
    await writeOnly.write('abc', EMPTY_SNAPSHOT);
    await writeOnly.settled();
    expect(await writeOnly.read('abc')).toBeUndefined();
    expect(await writeOnly.lane().read('abc')).toBeUndefined();
    await writeOnly.lane().write('def', EMPTY_SNAPSHOT);
    await writeOnly.settled();
    expect(await new SnapshotCache(dir).read('abc')).toEqual(EMPTY_SNAPSHOT);
    expect(await new SnapshotCache(dir).read('def')).toEqual(EMPTY_SNAPSHOT);
  });

  test('one entry per line: an entry unchanged between two snapshots of a run is parsed once, and is the same frozen object', async () => {
    const dir = await temporaryDirectory();
    const writer = new SnapshotCache(dir);
    await writer.write('before-2', snapshot({ a: 'integer' }));
    await writer.write('before-3', snapshot({ a: 'bigint' }));
    await writer.settled();
    const cache = new SnapshotCache(dir);
    const first = (await cache.read('before-2'))!;
    const second = (await cache.read('before-3'))!;
    expect(second.tables['public.u']).toBe(first.tables['public.u']);
    expect(second.schemas.public).toBe(first.schemas.public);
    expect(second.tables['public.t']).not.toBe(first.tables['public.t']);
    expect(second.tables['public.t']).toEqual({ columns: { a: 'bigint' } });
    // Shared between snapshots: no reader may change one under another.
    expect(Object.isFrozen(first.tables['public.u'])).toBe(true);
    expect(Object.isFrozen(first.tables)).toBe(true);
    expect(second.indexes).toBe(first.indexes); // a section that did not change at all
    expect(() => {
      (first.schemas.public as { privileges: string[] }).privileges.push('x');
    }).toThrow(TypeError);
  });

  test('a key that is also a name of Object.prototype stays a key', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir);
    const hostile = { ...EMPTY_SNAPSHOT, schemas: JSON.parse('{"__proto__": {"name": "__proto__", "owner": null, "privileges": [], "comment": null}}') as SchemaSnapshot['schemas'] };
    await cache.write('h', hostile);
    await cache.settled();
    const read = (await new SnapshotCache(dir).read('h'))!;
    expect(Object.keys(read.schemas)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(read.schemas)).toBe(Object.prototype);
    expect(read).toEqual(hostile);
  });

  test('a damaged, cut short or foreign file is a miss, not an error', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir);
    await cache.write('x', snapshot({ a: 'integer' }));
    await cache.settled();
    const file = join(dir, 'snapshots', 'x.jsonl');
    const whole = await readFile(file, 'utf8');
    const lines = whole.split('\n');
    for (let kept = 0; kept < lines.length; kept++) {
      await writeFile(file, lines.slice(0, kept).join('\n'));
      expect(await new SnapshotCache(dir).read('x')).toBeUndefined();
    }
    await writeFile(file, whole.slice(0, -3));
    expect(await new SnapshotCache(dir).read('x')).toBeUndefined();
    await writeFile(file, whole.replace('"public.u"', '1'));
    expect(await new SnapshotCache(dir).read('x')).toBeUndefined();
    await writeFile(file, '{"schemas": {}, "tables": {}, "indexes": {}, "functions": {}}');
    expect(await new SnapshotCache(dir).read('x')).toBeUndefined();
    await writeFile(file, whole);
    expect(await new SnapshotCache(dir).read('x')).toEqual(snapshot({ a: 'integer' }));
  });

  test('in history order, a snapshot is stored as the lines that differ from the one before, read back whole', async () => {
    const dir = await temporaryDirectory();
    const writer = new SnapshotCache(dir);
    const columns = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`c${index}`, 'text']));
    const tables = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`public.t${index}`, { columns }])) as unknown as SchemaSnapshot['tables'];
    // Step k adds a column to table t, a table and an index: the other tables stay as they were.
    const history = Array.from({ length: MAX_DEPTH + 8 }, (_, step) => {
      const changed = { columns: { ...columns, ...Object.fromEntries(Array.from({ length: step }, (_, index) => [`added${index}`, 'integer'])) } };
      const added = Object.fromEntries(Array.from({ length: step }, (_, index) => [`public.new${index}`, { columns: {} }]));
      return { ...EMPTY_SNAPSHOT, tables: { ...tables, ...added, 'public.t': changed as unknown as SchemaSnapshot['tables'][string] }, indexes: { [`public.i${step}`]: { step } as unknown as SchemaSnapshot['indexes'][string] } };
    });
    for (const [step, each] of history.entries()) await writer.write(`h${step}`, each);
    await writer.settled();
    const size = async (step: number) => (await readFile(join(dir, 'snapshots', `h${step}.jsonl`), 'utf8')).length;
    const headers = await Promise.all(history.map(async (_, step) => (await readFile(join(dir, 'snapshots', `h${step}.jsonl`), 'utf8')).split('\n')[0]!.split(' ')));
    expect(headers[0]![2]).toBe('0');
    expect(headers[1]![2]).toBe('1');
    expect(headers[1]![3]).toBe('h0');
    // Only the entries that changed are written again (not those after a new key); no chain is longer than MAX_DEPTH.
    expect(await size(1)).toBeLessThan((await size(0)) / 5);
    expect(Math.max(...headers.map((header) => Number(header[2])))).toBe(MAX_DEPTH);
    // A fresh cache reads any of them, in any order, from their bases on disk.
    const reader = new SnapshotCache(dir);
    for (const step of [MAX_DEPTH + 7, 3, MAX_DEPTH + 1, MAX_DEPTH, 0, MAX_DEPTH - 1]) expect(await reader.read(`h${step}`)).toEqual(history[step]);
    const inOrder = new SnapshotCache(dir);
    for (const [step, each] of history.entries()) {
      const read = await inOrder.read(`h${step}`);
      expect(read).toEqual(each);
      expect(Object.keys(read!.tables['public.t']!.columns)).toEqual(Object.keys(each.tables['public.t']!.columns));
    }
  });

  test('a key added or removed in a long section writes that key, not the whole list of keys', async () => {
    const dir = await temporaryDirectory();
    const writer = new SnapshotCache(dir);
    const indexes = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`public.index_${String(index).padStart(4, '0')}`, { n: index }]));
    const withIndexes = (entries: Record<string, unknown>) => ({ ...EMPTY_SNAPSHOT, indexes: entries as SchemaSnapshot['indexes'] });
    const { 'public.index_0100': removed, ...fewer } = indexes;
    const added = Object.fromEntries(Object.entries(indexes).flatMap(([key, value]) => (key === 'public.index_0500' ? [['public.index_0499b', { n: -1 }], [key, value]] : [[key, value]])));
    const history = [withIndexes(indexes), withIndexes(added), withIndexes(fewer), withIndexes({ ...fewer, 'public.index_0100': removed })];
    for (const [step, each] of history.entries()) await writer.write(`k${step}`, each);
    await writer.settled();
    for (const step of [1, 2, 3]) expect((await readFile(join(dir, 'snapshots', `k${step}.jsonl`), 'utf8')).length).toBeLessThan(2000);
    const reader = new SnapshotCache(dir);
    for (const [step, each] of history.entries()) {
      const read = await reader.read(`k${step}`);
      expect(read).toEqual(each);
      expect(Object.keys(read!.indexes)).toEqual(Object.keys(each.indexes));
    }
  });

  test('a delta whose base is gone, or was replaced by another run, is a miss; so is a base that is not a name', async () => {
    const dir = await temporaryDirectory();
    const writer = new SnapshotCache(dir);
    await writer.write('a', snapshot({ x: 'integer' }));
    await writer.write('b', snapshot({ x: 'bigint' }));
    await writer.settled();
    expect(await new SnapshotCache(dir).read('b')).toEqual(snapshot({ x: 'bigint' }));
    // Another run replays the history of `a` again and writes its file: same content, another id.
    const rewriter = new SnapshotCache(dir);
    await rewriter.write('a', snapshot({ x: 'integer' }));
    await rewriter.settled();
    expect(await new SnapshotCache(dir).read('a')).toEqual(snapshot({ x: 'integer' }));
    expect(await new SnapshotCache(dir).read('b')).toBeUndefined();
    const delta = await readFile(join(dir, 'snapshots', 'b.jsonl'), 'utf8');
    await rm(join(dir, 'snapshots', 'a.jsonl'));
    expect(await new SnapshotCache(dir).read('b')).toBeUndefined();
    const [format, id, depth, , baseId] = delta.split('\n')[0]!.split(' ');
    await writeFile(join(dir, 'snapshots', 'b.jsonl'), delta.replace(/^.*/, `${format} ${id} ${depth} ../../outside ${baseId}`));
    expect(await new SnapshotCache(dir).read('b')).toBeUndefined();
  });

  test('stored by content: a snapshot stored again before its first file is written keeps that file (A, B, A at once)', async () => {
    const dir = await temporaryDirectory();
    const cache = new SnapshotCache(dir, () => {}, 'priors');
    const [a, b] = [snapshot({ x: 'integer' }), snapshot({ x: 'bigint' })];
    const stored = [a, b, a, b].map((each) => cache.encodeToStore(each));
    expect(new Set(stored.map(({ name }) => name)).size).toBe(2);
    await Promise.all(stored.map(({ write }) => write()));
    expect(await readdir(join(dir, 'priors'))).toHaveLength(2);
    // Neither rests on a file that another encoding of the same content replaced.
    const reader = new SnapshotCache(dir, () => {}, 'priors');
    expect(reader.readNow(stored[0]!.name)).toEqual(a);
    expect(reader.readNow(stored[1]!.name)).toEqual(b);
  });

  test('stored by content from two lanes at once: the same snapshot is one file, and what rests on it reads back', async () => {
    const dir = await temporaryDirectory();
    const first = new SnapshotCache(dir, () => {}, 'priors');
    const second = first.lane();
    const [a, b, c, d] = [snapshot({ x: 'integer' }), snapshot({ x: 'bigint' }), snapshot({ x: 'text' }), snapshot({ x: 'date' })];
    // Each lane encodes on its own last snapshot: A, B, D in one (D a delta on its B), C, B in the other.
    const stored = [first.encodeToStore(a), second.encodeToStore(c), first.encodeToStore(b), first.encodeToStore(d), second.encodeToStore(b)];
    expect(stored[4]!.name).toBe(stored[2]!.name);
    for (const { write } of stored) await write(); // the second lane's B last: it must not replace the file D rests on
    expect(await readdir(join(dir, 'priors'))).toHaveLength(4);
    const reader = new SnapshotCache(dir, () => {}, 'priors');
    expect(reader.readNow(stored[3]!.name)).toEqual(d);
    expect(reader.readNow(stored[2]!.name)).toEqual(b);
    expect(reader.readNow(stored[0]!.name)).toEqual(a);
    expect(reader.readNow(stored[1]!.name)).toEqual(c);
  });

  test('a cache that cannot be written is said once, and the analysis goes on', async () => {
    const dir = await temporaryDirectory();
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const problems: string[] = [];
    const cache = new SnapshotCache(join(blocker, 'cache'), (message) => problems.push(message));
    await cache.write('a', EMPTY_SNAPSHOT);
    await cache.write('b', EMPTY_SNAPSHOT);
    await cache.settled();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot write the shadow cache .*; continuing without it/);
  });
});
