/**
 * The cache of replayed schemas: `<cacheDir>/snapshots/<hash>.json`, one SchemaSnapshot per history.
 *
 * A history is named by a hash chain over its content, so editing, adding or reordering an earlier migration
 * gives a new name, and a directory's prefixes share their computation:
 *
 *   h0 = sha256("migcheck-shadow-v3", server major version, replay role, tool setup SQL)   (what else shapes the schema)
 *   hk = sha256(h(k-1), id of migration k, its up SQL)
 *
 * The replay role is there because what it may do decides what replays (a sandbox role of migcheck's own is
 * `migcheck_sandbox` whatever its real name); the tool setup is the migration tool's tracking table
 * (./tracking.ts). Bump the format when the snapshot format or the replay's privileges change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SchemaSnapshot } from '../catalog/index.js';
import { InputError } from '../errors.js';
import type { Migration } from '../source/discover.js';
import type { HistoryFailure, ServerIdentity } from './types.js';

/** v2: replays run as the sandbox role (./sandbox.ts), whose name snapshots anonymise; v1 snapshots were a superuser's. */
const CACHE_FORMAT = 'migcheck-shadow-v3';

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

export class SnapshotCache {
  private readonly directory: string;
  private writeProblemReported = false;

  constructor(
    cacheDir: string,
    /** Told once if the cache cannot be written (the analysis goes on without it). */
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.directory = join(cacheDir, 'snapshots');
  }

  /** The snapshot stored for `hash`, or undefined (absent, unreadable or not a snapshot: all mean "replay"). */
  async read(hash: string): Promise<SchemaSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(hash), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return looksLikeSnapshot(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores atomically (temp file + rename): a concurrent reader sees the whole file or none. */
  async write(hash: string, snapshot: SchemaSnapshot): Promise<void> {
    const target = this.fileOf(hash);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(this.directory, { recursive: true });
      await writeFile(temporary, JSON.stringify(snapshot));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      if (!this.writeProblemReported) {
        this.writeProblemReported = true;
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        this.onProblem(`cannot write the shadow cache in ${this.directory} (${reason}); continuing without it`);
      }
    }
  }

  private fileOf(hash: string): string {
    return join(this.directory, `${hash}.json`);
  }
}

function looksLikeSnapshot(value: unknown): value is SchemaSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['schemas', 'tables', 'indexes', 'functions'].every((key) => typeof record[key] === 'object' && record[key] !== null);
}
