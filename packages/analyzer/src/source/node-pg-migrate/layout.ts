/**
 * node-pg-migrate: a folder whose files are all migrations (dotfiles aside), ordered by their numeric prefix and
 * then by name (its compareMigrationFileNames). Code files (`.js`, `.cjs`, `.mjs`, `.ts`) export `up(pgm)` and
 * optionally `down(pgm)`; their SQL is captured by running them against node-pg-migrate's own MigrationBuilder
 * (../code/), and a module without `down` gets the down the tool infers. SQL files hold both directions after
 * `-- Up Migration` and `-- Down Migration` markers (its sqlMigration.ts).
 */
import { join } from 'node:path';
import { captureMigrations, capturedSqlText, type MigrationCapture } from '../code/capture.js';
import type { CodeCapture, DirectoryEntry, LayoutContext, MigrationEntry } from '../layouts.js';

const CODE = /\.(js|cjs|mjs|ts|mts|cts)$/;
/** What marks a module as node-pg-migrate's: its builder's type, its name, or the conventional `pgm` parameter. */
const NODE_PG_MIGRATE = /\bMigrationBuilder\b|node-pg-migrate|\(\s*pgm\b|\bpgm\s*=>/;

/** A module that exports a `down` of its own: `exports.down =`, `export function down`, `export const down`, `export { down }`. */
const EXPORTS_DOWN = /\bexports\.down\s*=|\bexport\s+(?:async\s+)?function\s*\*?\s*down\s*\(|\bexport\s+(?:const|let|var)\s+down\b|\bexport\s*\{[^}]*\bdown\b/;

const marker = (direction: 'up' | 'down') => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, 'im');

/** The folder's node-pg-migrate migrations, or undefined when no code file in it is node-pg-migrate's. */
export function listNodePgMigrateFolder(folder: string, entries: DirectoryEntry[], context: LayoutContext): { migrations: MigrationEntry[]; notes: string[] } | undefined {
  const names = entries.filter((entry) => !entry.isDirectory && !entry.name.startsWith('.')).map((entry) => entry.name);
  const code = names.filter((name) => CODE.test(name) && !/\.d\.[mc]?ts$/.test(name));
  if (!code.some((name) => NODE_PG_MIGRATE.test(context.read(name)))) return undefined;
  const files = [...code, ...names.filter((name) => name.endsWith('.sql'))].filter((name) => /^\d+/.test(name)).sort(compareMigrationFileNames);
  const notes: string[] = [];
  const skipped = names.filter((name) => !files.includes(name) && !/\.d\.[mc]?ts$/.test(name));
  if (skipped.length > 0) notes.push(`not read: ${skipped.join(', ')} (node-pg-migrate migrations are .js, .cjs, .mjs, .ts or .sql files named with a numeric prefix)`);

  const coded = files.filter((name) => CODE.test(name));
  let captures: MigrationCapture[] | undefined;
  const migrationNotes = files.map((): string[] => []);
  const capture = (name: string): MigrationCapture => {
    if (!captures) {
      captures = captureMigrations(
        coded.map((file) => join(folder, file)),
        { cwd: folder, tool: 'node-pg-migrate' },
      );
      captures.forEach((captured, at) => {
        const notesOf = migrationNotes[files.indexOf(coded[at]!)]!;
        if (captured.down?.inferred) notesOf.push('down inferred by node-pg-migrate from up (the builder calls reversed): migcheck checks the inferred down');
        if (captured.downRefused) notesOf.push(`no down: ${captured.downRefused}`);
        if (captured.down && captured.down.gaps.length > 0) notesOf.push(`down not fully captured: it ${captured.down.gaps.join('; it ')}`);
      });
    }
    return captures[coded.indexOf(name)]!;
  };

  const migrations = files.map((file, index): MigrationEntry => {
    const stem = file.replace(/\.[^.]+$/, '');
    const match = /^(\d+)[_-]?(.*)$/.exec(stem)!;
    const identity = { version: match[1]!, name: match[2] || stem, id: stem, notes: migrationNotes[index]! };
    if (!CODE.test(file)) {
      const text = context.read(file);
      const hasDown = marker('down').test(text);
      return { ...identity, up: { file, cut: (all) => sqlSection(all, 'up') }, ...(hasDown ? { down: { file, cut: (all) => sqlSection(all, 'down') } } : {}) };
    }
    const codeCapture: CodeCapture = {
      tool: 'node-pg-migrate',
      language: /\.[mc]?ts$/.test(file) ? 'typescript' : 'javascript',
      get upGaps() {
        return capture(file).up.gaps;
      },
      get downGaps() {
        return capture(file).down?.gaps ?? [];
      },
    };
    // A written down is seen in the text; whether node-pg-migrate can infer a missing one is known only by running
    // the module, so then the capture runs now: a down it cannot infer must not be rehearsed as an empty one.
    const text = context.read(file);
    const disabled = /\bdown\s*[=:]\s*false\b/.test(text);
    const hasDown = !disabled && (EXPORTS_DOWN.test(text) || capture(file).down !== undefined);
    return {
      ...identity,
      up: { file, cut: () => capturedSqlText(capture(file).up) },
      ...(hasDown ? { down: { file, cut: () => capturedSqlText(capture(file).down ?? { queries: [], gaps: [] }) } } : {}),
      capture: codeCapture,
    };
  });
  return { migrations, notes };
}

/** One direction of an SQL migration, the rest blanked (lines and columns kept), as node-pg-migrate cuts it. */
export function sqlSection(text: string, direction: 'up' | 'down'): string {
  const up = text.search(marker('up'));
  const down = text.search(marker('down'));
  let from = 0;
  let to = text.length;
  if (direction === 'up') {
    if (up >= 0) {
      from = up;
      to = down < up ? text.length : down;
    }
  } else {
    if (down < 0) return blank(text);
    from = down;
    to = up < down ? text.length : up;
  }
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

function blank(text: string): string {
  return text.replace(/[^\n]/gu, ' ');
}

/** node-pg-migrate's order: the numeric prefix (17 digits being a UTC time), then the names compared numerically. */
export function compareMigrationFileNames(a: string, b: string): number {
  return prefixValue(a) - prefixValue(b) || a.localeCompare(b, undefined, { usage: 'sort', numeric: true, sensitivity: 'variant', ignorePunctuation: true });
}

function prefixValue(name: string): number {
  const prefix = /^\d+/.exec(name)?.[0] ?? '';
  if (prefix.length === 17) {
    const [year, month, day, hours, minutes, seconds, ms] = [prefix.slice(0, 4), prefix.slice(4, 6), prefix.slice(6, 8), prefix.slice(8, 10), prefix.slice(10, 12), prefix.slice(12, 14), prefix.slice(14, 17)];
    return new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${ms}Z`).valueOf();
  }
  return Number(prefix);
}
