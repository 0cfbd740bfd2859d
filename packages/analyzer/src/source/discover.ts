/**
 * Paths (files or directories) → ordered migrations, each with the earlier migrations of its
 * directory as its history.
 */
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { describeErrno, listFolder, readSqlFile } from './files.js';
import { listKnexFolder } from './knex/layout.js';
import { listNodePgMigrateFolder } from './node-pg-migrate/layout.js';
import { listSequelizeFolder } from './sequelize/layout.js';
import { listTypeormFolder } from './typeorm/layout.js';
import { detectLayout, type CodeCapture, type CodeStep, type DetectedLayout, type DirectoryEntry, type LayoutContext, type LayoutName, type MigrationEntry, type SqlLocation, type TrackingTable } from './layouts.js';

export { readSqlFile } from './files.js';

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
  /** Every migration of the directory, in its tool's order. */
  migrations: Migration[];
  /** How the folder was read, when a person should know: entries that looked like migrations but were not read. */
  notes: string[];
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
  /**
   * A migration written as code (goose's `.go` files): a step of the history migcheck cannot read. Its `up` is
   * the code file with an empty text; analysis calls it "code migration, not read" (risky), and a replay of the
   * history cannot go past it.
   */
  code?: CodeStep;
  /**
   * A migration written as code whose SQL was captured by running it (knex): `up` and `down` hold the captured
   * SQL; `capture.upGaps` says why it may not be all the code does (then it is at least risky).
   */
  capture?: CodeCapture;
  /** Whether the tool runs it in one transaction, where the files say so (goose NO TRANSACTION, dbmate, diesel). */
  transaction?: boolean;
  /** The tool's tracking table, when its settings name one other than the default (a knexfile's tableName, schemaName). */
  trackingTable?: TrackingTable;
  /** What a person should know about how this migration was read (goose ENVSUB ON, unknown annotations). */
  notes?: string[];
}

/** The migrations that ran before this one in its directory (empty for a lone file). */
export function historyOf(migration: Migration): Migration[] {
  return migration.directory?.migrations.slice(0, migration.index) ?? [];
}

export interface DiscoverOptions {
  cwd?: string;
  /** The knexfile of knex migrations, instead of the `knexfile.*` found next to or above their folder. */
  knexfile?: string;
}

/**
 * Resolves every path to migrations. A directory yields all its migrations; a file inside a
 * recognised migrations directory yields that one migration (its history recorded); any other
 * `.sql` file is a lone migration. Duplicates are removed, order of first mention is kept.
 */
export function discoverMigrations(paths: string[], options: DiscoverOptions = {}): Migration[] {
  if (paths.length === 0) throw new UsageError('no paths given: name migration files or directories');
  const cwd = options.cwd ?? process.cwd();
  const knexfile = options.knexfile === undefined ? undefined : resolve(cwd, options.knexfile);
  if (knexfile !== undefined) statOrThrow(knexfile, options.knexfile!);
  const read = (folder: string) => readDirectory(folder, cwd, directories, knexfile);
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
      const directory = read(absolute);
      if (!directory) throw new InputError(displayPath(absolute, cwd), 1, 1, noMigrationsMessage(absolute, cwd));
      directory.migrations.forEach(add);
      continue;
    }
    add(migrationForFile(absolute, cwd, read));
  }
  return result;
}

/** Why a folder holds no migrations, with what it does hold when that helps (code migrations, a subfolder). */
function noMigrationsMessage(absolute: string, cwd: string): string {
  const entries = listFolder(absolute, displayPath(absolute, cwd));
  const code = entries.filter((entry) => !entry.isDirectory && /^\d+[_-].*\.(js|mjs|cjs|ts|mts|cts)$/.test(entry.name));
  if (code.length > 0) {
    return `no SQL migrations found in this directory: its ${code.length} migration${code.length === 1 ? ' is' : 's are'} JavaScript or TypeScript code that is not knex's, node-pg-migrate's, TypeORM's or Sequelize's, which migcheck does not read`;
  }
  const nested = entries.find((entry) => entry.isDirectory && entry.name === 'migrations');
  if (nested) return `no migrations found in this directory; did you mean ${displayPath(join(absolute, nested.name), cwd)}?`;
  return 'no migrations found in this directory';
}

/** File names that mark a migration kept in a folder of its own (diesel, Prisma). */
const FOLDER_MIGRATION_FILES = new Set(['up.sql', 'down.sql', 'migration.sql']);

function migrationForFile(absolute: string, cwd: string, read: (folder: string) => MigrationDirectory | undefined): Migration {
  // diesel and Prisma keep each migration in a folder: the migrations directory is the grandparent.
  const candidates = FOLDER_MIGRATION_FILES.has(basename(absolute))
    ? [dirname(dirname(absolute)), dirname(absolute)]
    : [dirname(absolute)];
  for (const candidate of candidates) {
    const directory = read(candidate);
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
  knexfile: string | undefined,
): MigrationDirectory | undefined {
  if (cache.has(absolute)) return cache.get(absolute);
  const folderPath = displayPath(absolute, cwd);
  const entries: DirectoryEntry[] = listFolder(absolute, folderPath).map((entry) =>
    entry.isDirectory ? { ...entry, children: listChildren(join(absolute, entry.name), childPath(folderPath, entry.name), entry.name) } : entry,
  );
  const texts = new Map<string, string>();
  const readText = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) {
      const full = join(absolute, file);
      text = readSqlFile(full, shownInFolder(folderPath, file, full, cwd));
      texts.set(file, text);
    }
    return text;
  };
  const context: LayoutContext = {
    read: readText,
    fail: (file, line, column, message) => {
      throw new InputError(displayPath(join(absolute, file), cwd), line, column, message);
    },
  };
  // knex last: its folders hold code, and a folder whose SQL fits a layout is that layout's.
  const knex = (): DetectedLayout | undefined => {
    const listed = listKnexFolder(absolute, entries, context, { ...(knexfile ? { knexfile } : {}), show: (path) => displayPath(path, cwd) });
    return listed && { layout: 'knex', ...listed };
  };
  // node-pg-migrate first: its folders mix code with SQL files that another layout would take alone.
  const nodePgMigrate = (): DetectedLayout | undefined => {
    const listed = listNodePgMigrateFolder(absolute, entries, context);
    return listed && { layout: 'node-pg-migrate', ...listed };
  };
  // TypeORM and Sequelize before knex: a Sequelize module also exports an `up`.
  const typeorm = (): DetectedLayout | undefined => {
    const listed = listTypeormFolder(absolute, entries, context);
    return listed && { layout: 'typeorm', ...listed };
  };
  const sequelize = (): DetectedLayout | undefined => {
    const listed = listSequelizeFolder(absolute, entries, context);
    return listed && { layout: 'sequelize', ...listed };
  };
  const detected = nodePgMigrate() ?? detectLayout(entries, context) ?? typeorm() ?? sequelize() ?? knex();
  if (!detected) {
    cache.set(absolute, undefined);
    return undefined;
  }
  const directory: MigrationDirectory = { path: folderPath, layout: detected.layout, migrations: [], notes: detected.notes };
  // Files are read when first needed: lint reads only its targets' up files, never a history's down files.
  const source = (location: SqlLocation, code: boolean): SqlSource => {
    const full = join(absolute, location.file);
    let text: string | undefined;
    return {
      path: shownInFolder(folderPath, location.file, full, cwd),
      absolutePath: full,
      get text() {
        // A code migration is not SQL: its text is never read (nor parsed).
        text ??= code ? '' : location.cut ? location.cut(readText(location.file)) : readText(location.file);
        return text;
      },
    };
  };
  directory.migrations = detected.migrations.map((entry: MigrationEntry, index) => {
    const up = source(entry.up, entry.code !== undefined);
    return {
      id: entry.id ?? `${entry.version}_${entry.name}`,
      version: entry.version,
      name: entry.name,
      layout: detected.layout,
      path: up.path,
      up,
      ...(entry.down ? { down: source(entry.down, false) } : {}),
      directory,
      index,
      ...(entry.code ? { code: entry.code } : {}),
      ...(entry.capture ? { capture: entry.capture } : {}),
      ...(entry.transaction !== undefined ? { transaction: entry.transaction } : {}),
      ...(entry.trackingTable ? { trackingTable: entry.trackingTable } : {}),
      ...(entry.notes ? { notes: entry.notes } : {}),
    };
  });
  cache.set(absolute, directory);
  return directory;
}

/**
 * The entries of a subfolder (a diesel or Prisma migration is a folder). One that cannot be listed is refused when
 * its name could be a migration's (they start with their version), else it is not a migration folder: a
 * candidate folder such as /tmp holds other users' private folders.
 */
function listChildren(absolute: string, path: string, name: string): string[] {
  try {
    return listFolder(absolute, path).map((entry) => entry.name);
  } catch (error) {
    if (/^\d/.test(name)) throw error;
    return [];
  }
}

function statOrThrow(absolute: string, given: string) {
  try {
    return statSync(absolute);
  } catch (error) {
    throw new InputError(given, 1, 1, describeErrno(error));
  }
}

/**
 * displayPath of an entry of a folder shown as `folder`, without path.relative for each of a long history's
 * folders. Listed names never start with a dot (isIgnoredName), so none reads as `..`.
 */
function childPath(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`;
}

/** displayPath of `file` (a path relative to the folder shown as `folder`, at `absolute`). */
function shownInFolder(folder: string, file: string, absolute: string, cwd: string): string {
  const plain = !isAbsolute(file) && file.split(/[\\/]/).every((part) => part !== '' && !part.startsWith('.'));
  return plain ? childPath(folder, file.split(sep).join('/')) : displayPath(absolute, cwd);
}

export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
  return shown.split(sep).join('/');
}
