/**
 * Finding a knex project's knexfile: the one named (`--knexfile`), else the first `knexfile.{js,cjs,mjs,ts}` in
 * the migrations folder or a folder above it, up to the package's root (the folder with package.json).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const KNEXFILE_NAMES = ['knexfile.js', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.ts', 'knexfile.mts', 'knexfile.cts'];
/** How far up a knexfile is looked for when no package.json ends the search first. */
const MAX_LEVELS = 4;

export function findKnexfile(folder: string): string | undefined {
  let current = folder;
  for (let level = 0; level <= MAX_LEVELS; level++) {
    for (const name of KNEXFILE_NAMES) {
      const candidate = join(current, name);
      if (isFile(candidate)) return candidate;
    }
    if (existsSync(join(current, 'package.json'))) return undefined;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
