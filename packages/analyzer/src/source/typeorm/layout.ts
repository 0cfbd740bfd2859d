/**
 * TypeORM: a folder of migration classes (`.js`, `.ts`; `export class AddUsers1700000000000 implements
 * MigrationInterface { async up(queryRunner) {…} async down(queryRunner) {…} }`). TypeORM names a migration by the
 * class's `name` property, else the class name, takes its timestamp from the last 13 characters of that name
 * (refusing a name without one), and runs migrations by timestamp. Its `migrations` table records the name.
 * The SQL of each direction is captured by running it against a recording query runner (../code/).
 */
import { join } from 'node:path';
import { capturedMigrationEntries, type CodeMigrationFile } from '../code/entries.js';
import type { DirectoryEntry, LayoutContext, MigrationEntry } from '../layouts.js';

const CODE = /\.(js|cjs|mjs|ts|mts|cts)$/;
/** A TypeORM migration: a class implementing MigrationInterface, or one whose `up` takes a queryRunner. */
const isTypeormMigration = (text: string) => /\bMigrationInterface\b/.test(text) || (/\bclass\b/.test(text) && /\bup\s*\(\s*queryRunner\b/.test(text));
const CLASS_NAME = /\bclass\s+([A-Za-z_$][\w$]*)[^{]*?\bimplements\s+MigrationInterface\b|\bclass\s+([A-Za-z_$][\w$]*)/;
/** The `name` property a generated migration sets (`name = 'AddUsers1700000000000'`), which TypeORM prefers. */
const NAME_PROPERTY = /^\s*(?:public\s+|readonly\s+)*name\s*(?::\s*string\s*)?=\s*(['"`])([^'"`\n]+)\1/m;

interface TypeormFile extends CodeMigrationFile {
  timestamp: bigint;
}

/** The folder's TypeORM migrations, or undefined when no code file in it is one. */
export function listTypeormFolder(folder: string, entries: DirectoryEntry[], context: LayoutContext): { migrations: MigrationEntry[]; notes: string[] } | undefined {
  const code = entries.filter((entry) => !entry.isDirectory && !entry.name.startsWith('.') && CODE.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)).map((entry) => entry.name);
  const migrationFiles = code.filter((name) => isTypeormMigration(context.read(name)));
  if (migrationFiles.length === 0) return undefined;
  const notes: string[] = [];
  const skipped = code.filter((name) => !migrationFiles.includes(name));
  if (skipped.length > 0) notes.push(`not read: ${skipped.join(', ')} (no TypeORM migration class in ${skipped.length === 1 ? 'it' : 'them'})`);

  const files = migrationFiles.map((file): TypeormFile => {
    const text = context.read(file);
    const declared = CLASS_NAME.exec(text);
    const className = declared?.[1] ?? declared?.[2] ?? file.replace(/\.[^.]+$/, '');
    const name = NAME_PROPERTY.exec(text)?.[2] ?? className;
    // TypeORM: parseInt(name.substr(-13), 10), and a migration without one is refused.
    const digits = /^\d+/.exec(name.slice(-13))?.[0];
    if (!digits) {
      const at = declared ? lineColumn(text, declared.index) : { line: 1, column: 1 };
      return context.fail(file, at.line, at.column, `the migration name ${JSON.stringify(name)} does not end with a JavaScript timestamp: TypeORM refuses it`);
    }
    return {
      file,
      absolute: join(folder, file),
      version: digits,
      name: name.slice(0, -13) || name,
      id: name,
      hasDown: /\bdown\s*\(/.test(text),
      timestamp: BigInt(digits),
    };
  });
  // TypeORM sorts by timestamp alone (a stable sort over its glob's order: the file names').
  files.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { migrations: capturedMigrationEntries('typeorm', files, folder), notes };
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
