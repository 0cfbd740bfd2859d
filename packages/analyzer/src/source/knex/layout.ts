/**
 * knex: a folder of `.js`, `.cjs`, `.mjs` and `.ts` modules exporting `up(knex)` and `down(knex)`, every file with
 * a load extension being a migration, in file-name order (knex's `sortBy(migrations, 'file')`), read with the
 * knexfile's settings when there is one. The SQL of each direction is captured by running it (capture.ts); the
 * capture runs once per folder, when the first text is read.
 */
import { join, relative, resolve, sep } from 'node:path';
import { listFolder } from '../files.js';
import type { CodeCapture, DirectoryEntry, LayoutContext, MigrationEntry } from '../layouts.js';
import { captureMigrations, capturedSqlText, readKnexfileSettings, type MigrationCapture } from '../code/capture.js';
import { findKnexfile } from './knexfile.js';
import type { KnexSettings } from '../code/protocol.js';

/** knex's default `loadExtensions` (MigrationsLoader.js). */
const KNEX_LOAD_EXTENSIONS = ['.co', '.coffee', '.eg', '.iced', '.js', '.cjs', '.litcoffee', '.ls', '.ts'];
/** What migcheck can load: JavaScript natively, TypeScript through jiti. */
const LOADABLE = new Set(['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts']);
/** A module that exports an `up`: `exports.up =`, `export async function up`, `export const up =`, `export { up }`, `export default { up }`. */
const EXPORTS_UP =
  /\bexports\.up\s*=|\bmodule\.exports\b[\s\S]*\bup\b|\bexport\s+(?:async\s+)?function\s*\*?\s*up\s*\(|\bexport\s+(?:const|let|var)\s+up\b|\bexport\s*\{[^}]*\bup\b|\bexport\s+default\b[\s\S]*\bup\b/;
/** node-pg-migrate's migrations look the same, with a MigrationBuilder: they are not knex's. */
const NODE_PG_MIGRATE = /\bMigrationBuilder\b|node-pg-migrate|\(\s*pgm\b/;

export interface KnexFolderOptions {
  /** The knexfile named by the user (absolute), instead of the one found next to or above the folder. */
  knexfile?: string;
  /** A path as shown to people. */
  show(absolute: string): string;
}

export interface KnexListing {
  migrations: MigrationEntry[];
  notes: string[];
}

interface CodeFile {
  /** Relative to the folder that was given, with `/`. */
  file: string;
  name: string;
  absolute: string;
}

/** The folder's knex migrations, or undefined when it is not a knex folder. */
export function listKnexFolder(folder: string, entries: DirectoryEntry[], context: LayoutContext, options: KnexFolderOptions): KnexListing | undefined {
  const knexfile = options.knexfile ?? findKnexfile(folder);
  const knexfileHere = knexfile !== undefined && resolve(knexfile, '..') === folder;
  const local = codeFiles(folder, folder, entries, LOADABLE);
  if (!knexfileHere && !local.some((file) => isKnexMigration(context.read(file.file)))) return undefined;

  const notes: string[] = [];
  let settings: KnexSettings = {};
  if (knexfile) {
    const read = readKnexfileSettings(knexfile);
    if ('failure' in read) notes.push(`knexfile ${options.show(knexfile)} could not be read (${read.failure}): knex's default settings assumed`);
    else settings = read;
  }
  const base = knexfile ? resolve(knexfile, '..') : folder;
  // knex's default directory is ./migrations.
  const configured = (settings.directories ?? ['migrations']).map((directory) => resolve(base, directory));
  // Given the project's folder (the knexfile's), read the migrations folder the knexfile names.
  const sources = knexfileHere && configured.length > 0 && !configured.includes(folder) ? configured : [folder];
  const extensions = new Set(settings.loadExtensions ?? (knexfile ? KNEX_LOAD_EXTENSIONS : [...KNEX_LOAD_EXTENSIONS, '.mjs']));
  const loadable = new Set([...extensions].filter((extension) => LOADABLE.has(extension)));
  const files = sources
    .flatMap((source) => codeFiles(folder, source, source === folder ? entries : listFolder(source, options.show(source)), loadable))
    // knex sorts by file name alone (lodash sortBy: code-unit order), whatever the folder.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const unloadable = sources.flatMap((source) =>
    codeFiles(folder, source, source === folder ? entries : listFolder(source, options.show(source)), new Set([...extensions].filter((extension) => !LOADABLE.has(extension)))),
  );
  if (!files.some((file) => isKnexMigration(context.read(file.file)))) return undefined;

  if (knexfile) notes.push(...knexfileNotes(options.show(knexfile), settings, sources, folder, options));
  if (unloadable.length > 0) notes.push(`not read: ${unloadable.map((file) => file.file).join(', ')} (migcheck loads JavaScript and TypeScript migrations only)`);

  const trackingTable =
    (settings.tableName && settings.tableName !== 'knex_migrations') || settings.schemaName
      ? { ...(settings.schemaName ? { schema: settings.schemaName } : {}), table: settings.tableName ?? 'knex_migrations' }
      : undefined;
  let captures: MigrationCapture[] | undefined;
  const migrationNotes = files.map((): string[] => []);
  const capture = (index: number): MigrationCapture => {
    if (!captures) {
      captures = captureMigrations(
        files.map((file) => file.absolute),
        { cwd: base, ...(settings.searchPath ? { searchPath: settings.searchPath } : {}) },
      );
      captures.forEach((captured, at) => {
        if (captured.down && captured.down.gaps.length > 0) migrationNotes[at]!.push(`down not fully captured: it ${captured.down.gaps.join('; it ')}`);
      });
    }
    return captures[index]!;
  };

  const migrations = files.map((file, index): MigrationEntry => {
    const match = /^(\d+)[_-]?(.*?)\.[^.]+$/.exec(file.name);
    const language: CodeCapture['language'] = /\.[mc]?ts$/.test(file.name) ? 'typescript' : 'javascript';
    const codeCapture: CodeCapture = {
      tool: 'knex',
      language,
      get upGaps() {
        return capture(index).up.gaps;
      },
      get downGaps() {
        return capture(index).down?.gaps ?? [];
      },
    };
    return {
      version: match ? match[1]! : file.name.replace(/\.[^.]+$/, ''),
      name: match ? match[2] || file.name : file.name.replace(/\.[^.]+$/, ''),
      id: file.name,
      up: { file: file.file, cut: () => capturedSqlText(capture(index).up, settings.searchPath) },
      // Whether the module exports a down is known once it runs; a file that never says "down" has none.
      ...(/\bdown\b/.test(context.read(file.file))
        ? { down: { file: file.file, cut: () => capturedSqlText(capture(index).down ?? { queries: [], gaps: [] }, settings.searchPath) } }
        : {}),
      capture: codeCapture,
      ...(trackingTable ? { trackingTable } : {}),
      notes: migrationNotes[index]!,
    };
  });
  return { migrations, notes };
}

function isKnexMigration(text: string): boolean {
  return EXPORTS_UP.test(text) && !NODE_PG_MIGRATE.test(text);
}

function codeFiles(folder: string, source: string, entries: { name: string; isDirectory: boolean }[], extensions: Set<string>): CodeFile[] {
  return entries.flatMap((entry) => {
    const extension = /\.[^.]+$/.exec(entry.name)?.[0] ?? '';
    if (entry.isDirectory || !extensions.has(extension) || /\.d\.[mc]?ts$/.test(entry.name) || /^knexfile\./.test(entry.name)) return [];
    const absolute = join(source, entry.name);
    return [{ file: relative(folder, absolute).split(sep).join('/'), name: entry.name, absolute }];
  });
}

function knexfileNotes(shown: string, settings: KnexSettings, sources: string[], folder: string, options: KnexFolderOptions): string[] {
  const notes = [`knex settings from ${shown}${sources[0] !== folder ? `: migrations read from ${sources.map(options.show).join(', ')}` : ''}`];
  if (settings.client && !/^(pg|postgres|postgresql|pgnative|pg-native)$/.test(settings.client)) {
    notes.push(`the knexfile's client is ${settings.client}: migcheck captures the SQL knex writes for PostgreSQL`);
  }
  if ((settings.tableName && settings.tableName !== 'knex_migrations') || settings.schemaName) {
    notes.push(`the knexfile keeps knex's records in ${settings.schemaName ? `${settings.schemaName}.` : ''}${settings.tableName ?? 'knex_migrations'}: migcheck reads the applied state from it`);
  }
  return notes;
}
