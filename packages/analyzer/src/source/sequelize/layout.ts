/**
 * Sequelize (sequelize-cli, umzug): a folder of modules exporting `up(queryInterface, Sequelize)` and
 * `down(queryInterface, Sequelize)`, every `.js`, `.cjs`, `.ts` and `.cts` file but declarations being a migration
 * (sequelize-cli's pattern), run in file-name order. Its `SequelizeMeta` table records the file name. The SQL of
 * each direction is captured through Sequelize's own QueryInterface without a database (../code/).
 */
import { join } from 'node:path';
import { capturedMigrationEntries, type CodeMigrationFile } from '../code/entries.js';
import type { DirectoryEntry, LayoutContext, MigrationEntry } from '../layouts.js';

const CODE = /\.(js|cjs|mjs|ts|mts|cts)$/;
/** sequelize-cli's migration file pattern: `/^(?!.*\.d\.ts$).*\.(cjs|js|cts|ts)$/`. */
const SEQUELIZE_CLI = /\.(cjs|js|cts|ts)$/;
/** A Sequelize migration works on a queryInterface. */
const SEQUELIZE = /\bqueryInterface\b/;
const EXPORTS_UP = /\bup\b\s*[:=(]|\basync\s+up\b/;

export function listSequelizeFolder(folder: string, entries: DirectoryEntry[], context: LayoutContext): { migrations: MigrationEntry[]; notes: string[] } | undefined {
  const code = entries.filter((entry) => !entry.isDirectory && !entry.name.startsWith('.') && CODE.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)).map((entry) => entry.name);
  if (!code.some((name) => SEQUELIZE.test(context.read(name)) && EXPORTS_UP.test(context.read(name)))) return undefined;
  const names = code.filter((name) => SEQUELIZE_CLI.test(name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const skipped = code.filter((name) => !names.includes(name));
  const notes = skipped.length > 0 ? [`not read: ${skipped.join(', ')} (sequelize-cli runs .js, .cjs, .ts and .cts migrations only)`] : [];
  const files = names.map((file): CodeMigrationFile => {
    const match = /^(\d+)[-_]?(.*)\.[^.]+$/.exec(file);
    const stem = file.replace(/\.[^.]+$/, '');
    return {
      file,
      absolute: join(folder, file),
      version: match ? match[1]! : stem,
      name: match ? match[2] || stem : stem,
      id: file,
      hasDown: /\bdown\b/.test(context.read(file)),
    };
  });
  return { migrations: capturedMigrationEntries('sequelize', files, folder), notes };
}
