/**
 * The cache of replayed schemas: `<cacheDir>/snapshots/<hash>.jsonl`, one SchemaSnapshot per history.
 *
 * A history is named by a hash chain over its content, so editing, adding or reordering an earlier migration
 * gives a new name, and a directory's prefixes share their computation:
 *
 *   h0 = sha256("migcheck-shadow-v4", server major version, replay role, tool setup SQL)   (what else shapes the schema)
 *   hk = sha256(h(k-1), id of migration k, its up SQL)
 *
 * The replay role is there because what it may do decides what replays (a sandbox role of migcheck's own is
 * `migcheck_sandbox` whatever its real name); the tool setup is the migration tool's tracking table
 * (./tracking.ts). Bump the format when the snapshot format, the file format or the replay's privileges change.
 *
 * The files: ./snapshot-file.ts (one entry a line, most of them deltas on the snapshot read or written before).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SchemaSnapshot } from '../catalog/index.js';
import { InputError } from '../errors.js';
import type { Migration } from '../source/discover.js';
import { decodeSnapshot, encodeSnapshot, EntryTable, MAX_DEPTH, readHeader, type DeltaBase, type EncodedSnapshot, type SnapshotLayout } from './snapshot-file.js';
import type { HistoryFailure, ServerIdentity } from './types.js';
import { WriteBehind } from './write-behind.js';

/**
 * v2: replays run as the sandbox role (./sandbox.ts), whose name snapshots anonymise; v1 snapshots were a superuser's.
 * v4: one entry a line, and deltas (./snapshot-file.ts), in `.jsonl` files.
 */
const CACHE_FORMAT = 'migcheck-shadow-v4';

/** $MIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/migcheck, else ~/.cache/migcheck. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MIGCHECK_CACHE_DIR) return env.MIGCHECK_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'migcheck');
  return join(homedir(), '.cache', 'migcheck');
}

export function historyStartHash(server: ServerIdentity, toolSetupSql = ''): string {
  return sha256([CACHE_FORMAT, String(server.majorVersion), server.role, toolSetupSql]);
}

/**
 * The hashes of the prefixes of a directory's history, computed as far as asked (reading up files on the way:
 * linting one file of a long directory reads only the files before it).
 */
export class HistoryHashChain {
  private readonly hashes: string[];
  /** A migration whose file cannot be read: no hash (and no replay) goes past it. */
  unreadable?: HistoryFailure;

  constructor(
    startHash: string,
    private readonly migrations: readonly Migration[],
  ) {
    this.hashes = [startHash];
  }

  /** The key of the schema before migration `index` (its first `index` migrations); undefined past an unreadable one. */
  before(index: number): string | undefined {
    while (this.hashes.length <= index && !this.unreadable) {
      const position = this.hashes.length - 1;
      const migration = this.migrations[position]!;
      let text: string;
      try {
        text = migration.up.text;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        const failure = { path: error.path, line: error.line, column: error.column, message: error.detail };
        this.unreadable = { index: position, failure };
        break;
      }
      this.hashes.push(sha256([this.hashes[position]!, migration.id, text]));
    }
    return this.hashes[index];
  }
}

/** The key of the schema just before statement `statement` of `migration`, whose prior schema's key is `before`. */
export function withinMigrationHash(before: string, migration: Migration, statement: number): string {
  return sha256([before, 'within', migration.id, migration.up.text, String(statement)]);
}

/** NUL-separated, so that no two different lists of parts hash alike. */
function sha256(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** A snapshot this cache read or wrote, and its file's layout: the base of the next file written. */
interface Known {
  hash: string;
  layout: SnapshotLayout;
  /** Read from its file, so frozen: only such a snapshot lends its entries to a delta read on it. */
  read?: SchemaSnapshot;
}

export class SnapshotCache {
  private readonly directory: string;
  private writeProblemReported = false;
  /** The last snapshot read or written: in history order, the next one is mostly the same. */
  private last?: Known;

  constructor(
    private readonly cacheDir: string,
    /** Told once if the cache cannot be written (the analysis goes on without it). */
    private readonly onProblem: (message: string) => void = () => {},
    /** The folder of `cacheDir` that holds the files (lint's result cache keeps its prior schemas in one of its own). */
    private readonly folder = 'snapshots',
    /** Each entry parsed once and held once, whichever snapshot holds it. */
    private readonly entries = new EntryTable(),
    /** false: written, never read (every read misses). */
    private readonly reads = true,
    /** Shared with its lanes: the owner waits for all of them (settled()). */
    private readonly writes = new WriteBehind(),
    /** The names encodeToStore gave files in this run, shared with its lanes: two lanes may store the same content. */
    private readonly storedNames = new Set<string>(),
  ) {
    this.directory = join(cacheDir, folder);
  }

  /**
   * The same cache for another part of the history, read and written at the same time (a lane of the shadow): its
   * own last snapshot to encode deltas on, the entries it parsed shared with this one.
   */
  lane(): SnapshotCache {
    return new SnapshotCache(this.cacheDir, this.onProblem, this.folder, this.entries, this.reads, this.writes, this.storedNames);
  }

  /** The same cache, written but never read (every read misses): for a shadow that reads every schema from its replay. */
  writeOnly(): SnapshotCache {
    return new SnapshotCache(this.cacheDir, this.onProblem, this.folder, this.entries, false, this.writes, this.storedNames);
  }

  /**
   * The snapshot stored for `hash`, or undefined (absent, unreadable or not a whole snapshot: all mean "replay").
   * Its entries are frozen and shared with the other snapshots this cache has read that hold the same entry.
   */
  async read(hash: string): Promise<SchemaSnapshot | undefined> {
    return this.readNow(hash);
  }

  /** read(), synchronously: for a value read on first use. */
  readNow(hash: string): SchemaSnapshot | undefined {
    if (!this.reads) return undefined;
    const found = this.load(hash, undefined);
    if (found) this.last = found;
    return found?.read;
  }

  /**
   * Stores atomically (temp file + rename): a concurrent reader sees the whole file or none. Encoded now, written
   * behind (./write-behind.ts): resolves once the write has started; settled() waits for it.
   */
  async write(hash: string, snapshot: SchemaSnapshot): Promise<void> {
    let encoded: EncodedSnapshot;
    try {
      encoded = this.encoded(hash, encodeSnapshot(snapshot, randomBytes(8).toString('hex'), this.deltaBase(hash)));
    } catch (error) {
      return this.writeProblem(error);
    }
    await this.writes.start(() => this.writeFile(hash, encoded).catch((error: unknown) => this.writeProblem(error)));
  }

  /** Said once: the analysis goes on without the cache. */
  private writeProblem(error: unknown): void {
    if (this.writeProblemReported) return;
    this.writeProblemReported = true;
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    this.onProblem(`cannot write the shadow cache in ${this.directory} (${reason}); continuing without it`);
  }

  /**
   * Encodes the snapshot to be stored under the sha256 of its content: its name, and the write of its file, which
   * keeps a file of that name as it is (it holds the same content, and deltas may rest on it), and rejects when the
   * file cannot be written. The write is the caller's to run (lint's result cache runs it behind, before its entry).
   */
  encodeToStore(snapshot: SchemaSnapshot): { name: string; write: () => Promise<void> } {
    const base = this.deltaBase(undefined);
    let encoded = encodeSnapshot(snapshot, randomBytes(8).toString('hex'), base, true);
    // A file never rests on itself (stored by content, its name is known only now).
    if (base && base.hash === encoded.digest) encoded = encodeSnapshot(snapshot, encoded.layout.id, undefined, true);
    const name = encoded.digest;
    // Stored already, by another run or by this one (its file perhaps not written yet): kept, and not the next base.
    if (this.storedNames.has(name) || existsSync(this.fileOf(name))) return { name, write: async () => {} };
    this.storedNames.add(name);
    const stored = this.encoded(name, encoded);
    return { name, write: () => this.writeFile(name, stored) };
  }

  /** Once every file this cache and its lanes started writing is written (or failed, and said so). */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  /** `encoded`, now the base of the next delta: in history order, deltas rest on the file encoded before, written or not. */
  private encoded(hash: string, encoded: EncodedSnapshot): EncodedSnapshot {
    this.last = { hash, layout: encoded.layout };
    return encoded;
  }

  /** What the file of snapshot `hash` is a delta on: the last snapshot read or written, unless that chain is long enough. */
  private deltaBase(hash: string | undefined): DeltaBase | undefined {
    const { last } = this;
    return last && last.hash !== hash && last.layout.depth < MAX_DEPTH ? last : undefined;
  }

  private async writeFile(hash: string, { text, layout }: EncodedSnapshot): Promise<void> {
    const target = this.fileOf(hash);
    const temporary = `${target}.${process.pid}.${layout.id}.tmp`;
    try {
      await mkdir(this.directory, { recursive: true });
      await writeFile(temporary, text);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  }

  /** The snapshot of file `hash` (with the id and depth a delta expects of its base), its bases read first. */
  private load(hash: string, expected: { id: string; depth: number } | undefined): (Known & { read: SchemaSnapshot }) | undefined {
    const { last } = this;
    if (last?.read && last.hash === hash && (!expected || (last.layout.id === expected.id && last.layout.depth === expected.depth))) {
      return { ...last, read: last.read };
    }
    let text: string;
    try {
      // Synchronous: a few hundred files read one after the other cost less than as many round trips to the thread pool.
      text = readFileSync(this.fileOf(hash), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const header = readHeader(text);
      if (!header || (expected && (header.id !== expected.id || header.depth !== expected.depth))) return undefined;
      // Depth decreases by one a step, so this ends within MAX_DEPTH files.
      const base = header.base ? this.load(header.base.hash, { id: header.base.id, depth: header.depth - 1 }) : undefined;
      if (header.base && !base) return undefined;
      const decoded = decodeSnapshot(text, header, base ? { snapshot: base.read, layout: base.layout } : undefined, this.entries);
      return decoded ? { hash, layout: decoded.layout, read: decoded.snapshot } : undefined;
    } catch {
      return undefined;
    }
  }

  private fileOf(hash: string): string {
    return join(this.directory, `${hash}.jsonl`);
  }
}
