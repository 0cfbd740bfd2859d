/**
 * The file of one cached snapshot (./cache.ts): one entry of the snapshot a line (a table, an index…), whole or as
 * the lines that differ from another snapshot's file, its base. The snapshots of one history share almost all their
 * entries, so a delta is small, and a run that reads many of them parses each distinct entry once and holds it once.
 *
 *   migcheck-snapshot-v4 <id> <depth> [<base> <base id>]  header: a random id; depth 0, a whole snapshot, else a delta
 *                                                         on the file <base>, which has that id and depth - 1
 *   ["tables", ["public.t", …]]                           a section that maps keys to entries: its keys, in order
 *   ["tables", 0]                                         (in a delta: 0, the same keys as the base's section;
 *   ["tables", 1]                                         1, the base's section as it is, and no lines follow;
 *   ["tables", 2, [[0, 40], "public.new", [40, 37]]]      2, the keys as runs of the base's keys, by position and
 *                                                         count, and new keys: a table added lists one key)
 *   {"schema":"public",…}                                 then each key's entry, one JSON text a line (JSON escapes
 *                                                         newlines); in a delta, an empty line: the base's entry
 *                                                         for the same key
 *   ["rules", null, <value>]                              a section of another shape: its whole value
 *   end                                                   written last: a file without it is not whole
 *
 * A delta's base is checked by its id, so a base replaced by another run's replay (or removed) makes the delta a miss,
 * never a mix of two files; and the depth is bounded, so reading one snapshot reads at most MAX_DEPTH + 1 files.
 */
import { createHash } from 'node:crypto';
import type { SchemaSnapshot } from '../catalog/index.js';

export const FILE_HEADER = 'migcheck-snapshot-v4';
const FILE_END = 'end';
/** Deltas on deltas, at most: a longer chain is cut by writing a whole snapshot. */
export const MAX_DEPTH = 64;
const SAME_KEYS = 0;
const SAME_SECTION = 1;
const EDITED_KEYS = 2;

/** What a file holds, section by section, as written: what a delta on it is computed against. */
export interface SnapshotLayout {
  id: string;
  depth: number;
  /** The sections that map keys to entries: each key's line, in the section's order. */
  sections: Map<string, Map<string, string>>;
  /**
   * Those sections' values (key to entry) that the lines were made of. Successive snapshots share the entries that did
   * not change (the incremental reader keeps them, the entry table holds one of each), and an entry is never changed
   * once read: the next file reuses the line of an entry it shares with this one instead of encoding it again.
   */
  values: Map<string, Readonly<Record<string, unknown>>>;
}

export interface FileHeader {
  id: string;
  depth: number;
  base?: { hash: string; id: string };
}

/** The distinct entries read, each parsed and frozen once, and the line it was read from. */
export class EntryTable {
  private readonly byLine = new Map<string, { value: unknown; line: string }>();

  entry(line: string): { value: unknown; line: string } {
    let found = this.byLine.get(line);
    if (!found) {
      // A copy of the line: the line itself is a slice that would keep its whole file's text alive.
      const copy = Buffer.from(line, 'utf8').toString('utf8');
      found = { value: deepFreeze(JSON.parse(copy) as unknown), line: copy };
      this.byLine.set(copy, found);
    }
    return found;
  }
}

/** A snapshot's file, and its layout: the base of the next file. */
export interface EncodedSnapshot {
  text: string;
  layout: SnapshotLayout;
}

/** The base a delta is written on: its file's name, and its layout. */
export interface DeltaBase {
  hash: string;
  layout: SnapshotLayout;
}

/**
 * The file of `snapshot`, a delta on `base` when given; its layout, to be the base of the next one; and with `digest`,
 * the sha256 of its content, whatever the base (a name for a snapshot stored by content). Only a file stored by
 * content needs the digest: it hashes every line, ~200 ms of a cold lint of Lemmy's history if taken of every file.
 */
export function encodeSnapshot(snapshot: SchemaSnapshot, id: string, base: DeltaBase | undefined, digest: true): EncodedSnapshot & { digest: string };
export function encodeSnapshot(snapshot: SchemaSnapshot, id: string, base?: DeltaBase): EncodedSnapshot;
export function encodeSnapshot(snapshot: SchemaSnapshot, id: string, base?: DeltaBase, digest = false): EncodedSnapshot & { digest?: string } {
  const depth = base ? base.layout.depth + 1 : 0;
  const hash = digest ? createHash('sha256') : undefined;
  // NUL-separated: JSON texts and keys hold no raw NUL, so no two contents hash alike.
  const hashed = hash ? (...parts: string[]) => parts.forEach((part) => hash.update(part).update('\0')) : () => {};
  const out = [base ? `${FILE_HEADER} ${id} ${depth} ${base.hash} ${base.layout.id}` : `${FILE_HEADER} ${id} 0`];
  const sections: SnapshotLayout['sections'] = new Map();
  const values: SnapshotLayout['values'] = new Map();
  for (const [section, value] of Object.entries(snapshot)) {
    if (value === undefined) continue;
    if (!isRecord(value)) {
      const line = JSON.stringify([section, null, value]);
      out.push(line);
      hashed('whole', line);
      continue;
    }
    const keys = Object.keys(value).filter((key) => value[key] !== undefined); // as JSON.stringify leaves them out
    const before = base?.layout.sections.get(section);
    const beforeValue = base?.layout.values.get(section);
    const lines = new Map(keys.map((key) => [key, sharedLine(before, beforeValue, key, value[key]) ?? JSON.stringify(value[key])]));
    sections.set(section, lines);
    values.set(section, value);
    hashed('section', section, String(keys.length));
    for (const [key, line] of lines) hashed(key, line);
    if (before && sameKeys(before, keys) && keys.every((key) => before.get(key) === lines.get(key))) {
      out.push(JSON.stringify([section, SAME_SECTION]));
      continue;
    }
    if (!before) out.push(JSON.stringify([section, keys]));
    else out.push(JSON.stringify(sameKeys(before, keys) ? [section, SAME_KEYS] : [section, EDITED_KEYS, keyRuns(before, keys)]));
    for (const [key, line] of lines) out.push(before?.get(key) === line ? '' : line);
  }
  out.push(FILE_END);
  const encoded = { text: out.join('\n'), layout: { id, depth, sections, values } };
  return hash ? { ...encoded, digest: hash.digest('hex') } : encoded;
}

/**
 * The base's line for `key` when the base holds this very entry object (SnapshotLayout.values says why that is its
 * JSON). Only the base's lines are kept: a memo of every entry's JSON would hold them all for the whole run.
 */
function sharedLine(
  before: ReadonlyMap<string, string> | undefined,
  beforeValue: Readonly<Record<string, unknown>> | undefined,
  key: string,
  entry: unknown,
): string | undefined {
  if (!before || !beforeValue || typeof entry !== 'object' || entry === null) return undefined;
  return Object.hasOwn(beforeValue, key) && beforeValue[key] === entry ? before.get(key) : undefined;
}

/** The header of a file, or undefined if it is not one this version writes. */
export function readHeader(text: string): FileHeader | undefined {
  const end = text.indexOf('\n');
  const words = (end < 0 ? text : text.slice(0, end)).split(' ');
  const [format, id, depthText, baseHash, baseId] = words;
  if (format !== FILE_HEADER || !id || !/^[0-9a-f]+$/.test(id)) return undefined;
  const depth = Number(depthText);
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH || String(depth) !== depthText) return undefined;
  if (depth === 0) return words.length === 3 ? { id, depth } : undefined;
  // The base names a file of the same directory: a name of this cache's own form, never a path.
  if (words.length !== 5 || !baseHash || !/^[\w-]{1,128}$/.test(baseHash) || !baseId || !/^[0-9a-f]+$/.test(baseId)) return undefined;
  return { id, depth, base: { hash: baseHash, id: baseId } };
}

/**
 * The snapshot of a file whose header is `header`, and its layout; undefined if it is not whole, or is a delta and
 * `base` (the snapshot and layout of the file it names) does not have what it takes from it. Throws on a line that
 * is not JSON.
 */
export function decodeSnapshot(
  text: string,
  header: FileHeader,
  base: { snapshot: SchemaSnapshot; layout: SnapshotLayout } | undefined,
  entries: EntryTable,
): { snapshot: SchemaSnapshot; layout: SnapshotLayout } | undefined {
  if (header.base && !base) return undefined;
  const lines = text.split('\n');
  if (lines.at(-1) !== FILE_END) return undefined;
  const end = lines.length - 1;
  const snapshot: Record<string, unknown> = {};
  const sections: SnapshotLayout['sections'] = new Map();
  const values: SnapshotLayout['values'] = new Map();
  let at = 1;
  while (at < end) {
    const sectionHeader: unknown = JSON.parse(lines[at++]!);
    if (!Array.isArray(sectionHeader) || typeof sectionHeader[0] !== 'string') return undefined;
    const [section, listed, whole] = sectionHeader as [string, unknown, unknown];
    if (listed === null) {
      defineKey(snapshot, section, whole);
      continue;
    }
    const before = base?.layout.sections.get(section);
    const beforeValue = base ? ownValue(base.snapshot, section) : undefined;
    if (listed === SAME_SECTION) {
      // The base's section itself: frozen, so sharing it is safe.
      if (!before || !isRecord(beforeValue) || !Object.isFrozen(beforeValue)) return undefined;
      defineKey(snapshot, section, beforeValue);
      sections.set(section, before);
      values.set(section, beforeValue);
      continue;
    }
    const keys = listed === SAME_KEYS && before ? [...before.keys()] : listed === EDITED_KEYS && before ? editedKeys(before, whole) : listed;
    if (!Array.isArray(keys) || at + keys.length > end) return undefined;
    const record: Record<string, unknown> = {};
    const recordLines = new Map<string, string>();
    for (const key of keys as unknown[]) {
      if (typeof key !== 'string' || recordLines.has(key)) return undefined;
      const line = lines[at++]!;
      if (line !== '') {
        const entry = entries.entry(line);
        defineKey(record, key, entry.value);
        recordLines.set(key, entry.line);
        continue;
      }
      // The base's entry for the same key.
      const beforeLine = before?.get(key);
      if (beforeLine === undefined || !isRecord(beforeValue) || !Object.hasOwn(beforeValue, key)) return undefined;
      defineKey(record, key, beforeValue[key]);
      recordLines.set(key, beforeLine);
    }
    defineKey(snapshot, section, Object.freeze(record));
    sections.set(section, recordLines);
    values.set(section, record);
  }
  if (!looksLikeSnapshot(snapshot)) return undefined;
  return { snapshot, layout: { id: header.id, depth: header.depth, sections, values } };
}

export function looksLikeSnapshot(value: unknown): value is SchemaSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['schemas', 'tables', 'indexes', 'functions'].every((key) => typeof record[key] === 'object' && record[key] !== null);
}

function ownValue(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** Sets an own property, even for a key such as `__proto__` (a schema may be named so), as JSON.parse does. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `keys` as runs of the base section's keys (`[position, count]`) and new keys. */
function keyRuns(before: ReadonlyMap<string, string>, keys: readonly string[]): Array<string | [number, number]> {
  const positions = new Map<string, number>();
  for (const key of before.keys()) positions.set(key, positions.size);
  const runs: Array<string | [number, number]> = [];
  for (const key of keys) {
    const position = positions.get(key);
    const last = runs.at(-1);
    if (position === undefined) runs.push(key);
    else if (Array.isArray(last) && last[0] + last[1] === position) last[1]++;
    else runs.push([position, 1]);
  }
  return runs;
}

/** The keys that keyRuns() wrote, or undefined when the runs do not fit the base's section. */
function editedKeys(before: ReadonlyMap<string, string>, runs: unknown): string[] | undefined {
  if (!Array.isArray(runs)) return undefined;
  const beforeKeys = [...before.keys()];
  const keys: string[] = [];
  for (const run of runs as unknown[]) {
    if (typeof run === 'string') {
      keys.push(run);
      continue;
    }
    if (!Array.isArray(run) || run.length !== 2) return undefined;
    const [start, count] = run as unknown[];
    if (!Number.isInteger(start) || !Number.isInteger(count) || (start as number) < 0 || (count as number) < 1 || (start as number) + (count as number) > beforeKeys.length) return undefined;
    for (let index = start as number; index < (start as number) + (count as number); index++) keys.push(beforeKeys[index]!);
  }
  return keys;
}

/** Whether the section's keys are those of `lines`, in the same order. */
function sameKeys(lines: ReadonlyMap<string, string>, keys: readonly string[]): boolean {
  if (lines.size !== keys.length) return false;
  let index = 0;
  for (const key of lines.keys()) if (key !== keys[index++]) return false;
  return true;
}
