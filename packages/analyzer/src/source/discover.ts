/**
 * Paths (files or directories) → ordered migrations, each with the earlier migrations of its
 * directory as its history.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import {
  detectLayout,
  extractDbmateSection,
  type DirectoryEntry,
  type LayoutName,
  type MigrationEntry,
  type SqlLocation,
} from './layouts.js';

export interface SqlSource {
  /** The path as shown to people: relative to the working directory when inside it, with `/`. */
  path: string;
  absolutePath: string;
  /** The SQL text (for a dbmate section: the file with everything else blanked out), read on first use. */
  readonly text: string;
}

export interface MigrationDirectory {
  path: string;
  layout: LayoutName;
  /** Every migration of the directory, in order. */
  migrations: Migration[];
}

export interface Migration {
  /** `<version>_<name>`; unique within its directory. */
  id: string;
  version: string;
  name: string;
  layout: LayoutName;
  /** The migration's path as shown in reports: its up file (line numbers refer to it). */
  path: string;
  up: SqlSource;
  down?: SqlSource;
  /** The directory it belongs to; absent for a lone file. */
  directory?: MigrationDirectory;
  /** Position in the directory; the migrations before it are its history. */
  index: number;
}

/** The migrations that ran before this one in its directory (empty for a lone file). */
export function historyOf(migration: Migration): Migration[] {
  return migration.directory?.migrations.slice(0, migration.index) ?? [];
}

export interface DiscoverOptions {
  cwd?: string;
}

/**
 * Resolves every path to migrations. A directory yields all its migrations; a file inside a
 * recognised migrations directory yields that one migration (its history recorded); any other
 * `.sql` file is a lone migration. Duplicates are removed, order of first mention is kept.
 */
export function discoverMigrations(paths: string[], options: DiscoverOptions = {}): Migration[] {
  if (paths.length === 0) throw new UsageError('no paths given: name migration files or directories');
  const cwd = options.cwd ?? process.cwd();
  const directories = new Map<string, MigrationDirectory | undefined>();
  const seen = new Set<string>();
  const result: Migration[] = [];
  const add = (migration: Migration) => {
    const key = migration.up.absolutePath + (migration.layout === 'dbmate' ? '#up' : '');
    if (seen.has(key)) return;
    seen.add(key);
    result.push(migration);
  };

  for (const given of paths) {
    const absolute = resolve(cwd, given);
    const stats = statOrThrow(absolute, given);
    if (stats.isDirectory()) {
      const directory = readDirectory(absolute, cwd, directories);
      if (!directory) throw new InputError(displayPath(absolute, cwd), 1, 1, 'no migrations found in this directory');
      directory.migrations.forEach(add);
      continue;
    }
    add(migrationForFile(absolute, cwd, directories));
  }
  return result;
}

/** File names that mark a migration kept in a folder of its own (diesel, Prisma). */
const FOLDER_MIGRATION_FILES = new Set(['up.sql', 'down.sql', 'migration.sql']);

function migrationForFile(
  absolute: string,
  cwd: string,
  directories: Map<string, MigrationDirectory | undefined>,
): Migration {
  // diesel and Prisma keep each migration in a folder: the migrations directory is the grandparent.
  const candidates = FOLDER_MIGRATION_FILES.has(basename(absolute))
    ? [dirname(dirname(absolute)), dirname(absolute)]
    : [dirname(absolute)];
  for (const candidate of candidates) {
    const directory = readDirectory(candidate, cwd, directories);
    const found = directory?.migrations.find(
      (migration) => migration.up.absolutePath === absolute || migration.down?.absolutePath === absolute,
    );
    if (found) return found;
  }
  const path = displayPath(absolute, cwd);
  const stem = basename(absolute).replace(/\.sql$/, '');
  return {
    id: stem,
    version: stem,
    name: stem,
    layout: 'file',
    path,
    up: { path, absolutePath: absolute, text: readSqlFile(absolute, path) },
    index: 0,
  };
}

function readDirectory(
  absolute: string,
  cwd: string,
  cache: Map<string, MigrationDirectory | undefined>,
): MigrationDirectory | undefined {
  if (cache.has(absolute)) return cache.get(absolute);
  let entries: DirectoryEntry[];
  try {
    entries = readdirSync(absolute, { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isDirectory: entry.isDirectory(),
      ...(entry.isDirectory() ? { children: safeList(join(absolute, entry.name)) } : {}),
    }));
  } catch {
    cache.set(absolute, undefined);
    return undefined;
  }
  const texts = new Map<string, string>();
  const readText = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) {
      const full = join(absolute, file);
      text = readSqlFile(full, displayPath(full, cwd));
      texts.set(file, text);
    }
    return text;
  };
  const detected = detectLayout(entries, (file) => (file.endsWith('.sql') ? readText(file) : ''));
  if (!detected) {
    cache.set(absolute, undefined);
    return undefined;
  }
  const directory: MigrationDirectory = { path: displayPath(absolute, cwd), layout: detected.layout, migrations: [] };
  // Files are read when first needed: lint reads only its targets' up files, never a history's down files.
  const source = (location: SqlLocation): SqlSource => {
    const full = join(absolute, location.file);
    let text: string | undefined;
    return {
      path: displayPath(full, cwd),
      absolutePath: full,
      get text() {
        text ??= location.section ? extractDbmateSection(readText(location.file), location.section) : readText(location.file);
        return text;
      },
    };
  };
  directory.migrations = detected.migrations.map((entry: MigrationEntry, index) => {
    const up = source(entry.up);
    return {
      id: `${entry.version}_${entry.name}`,
      version: entry.version,
      name: entry.name,
      layout: detected.layout,
      path: up.path,
      up,
      ...(entry.down ? { down: source(entry.down) } : {}),
      directory,
      index,
    };
  });
  cache.set(absolute, directory);
  return directory;
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function statOrThrow(absolute: string, given: string) {
  try {
    return statSync(absolute);
  } catch {
    throw new InputError(given, 1, 1, 'no such file or directory');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a SQL file as UTF-8; a binary or mis-encoded file is an input error at its first bad byte. */
export function readSqlFile(absolute: string, path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    throw new InputError(path, 1, 1, `cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const text = utf8.decode(bytes);
    const nul = text.indexOf('\u0000');
    if (nul >= 0) throw Object.assign(new Error('binary'), { at: Buffer.byteLength(text.slice(0, nul)) });
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark is not a column
  } catch (error) {
    const at = (error as { at?: number }).at ?? firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at).toString('utf8');
    const lines = before.split('\n');
    const what = (error as { at?: number }).at !== undefined ? 'binary file (NUL byte)' : 'not valid UTF-8';
    throw new InputError(path, lines.length, [...(lines.at(-1) ?? '')].length + 1, `cannot read file: ${what}`);
  }
}

/** Byte offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) {
      const continuation = bytes[i + k]!;
      if (continuation < 0x80 || continuation > 0xbf) return i;
    }
    i += length;
  }
  return i;
}

export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
  return shown.split(sep).join('/');
}
