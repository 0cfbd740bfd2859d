/**
 * Reading migration files and folders, which are untrusted input: regular files only (a FIFO or a link to
 * /dev/zero would block or never end), bounded in size, UTF-8 text; folders listed without the entries no
 * migration tool runs (dot-files, editor backups). Every failure is an InputError that says what and where.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Dirent, type Stats } from 'node:fs';
import { visible } from '../sql/visible.js';
import { InputError } from '../errors.js';

/**
 * The largest migration file migcheck reads. Real migrations, data loads included, are far smaller (the largest
 * file of the shared corpora is under 1 MiB); beyond this the parser's memory, not the file, would be the problem.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Entries no migration tool runs: hidden files and folders, editor backups and autosaves. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /^#.*#$/.test(name) || /\.(swp|swo|swx|bak|orig|rej)$/.test(name);
}

export interface ListedEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * The entries of a folder a migration tool would look at, symbolic links followed (a link to a migration
 * folder is one). `path` is the folder as shown to people. The kind of each entry comes with the listing (only a
 * link costs a stat): a diesel history of 342 folders is listed folder by folder, for one file too.
 */
export function listFolder(absolute: string, path: string): ListedEntry[] {
  let listed: Dirent<Buffer>[];
  try {
    listed = readdirSync(absolute, { encoding: 'buffer', withFileTypes: true });
  } catch (error) {
    throw new InputError(path, 1, 1, `cannot read directory: ${describeErrno(error)}`);
  }
  const entries: ListedEntry[] = [];
  for (const entry of listed) {
    const raw = entry.name;
    const name = raw.toString('utf8');
    if (isIgnoredName(name)) continue;
    if (!Buffer.from(name, 'utf8').equals(raw)) {
      // Node names files by UTF-8 strings: a name that is not UTF-8 could not be opened again, nor shown. One that
      // could be a migration's is refused (skipping it would drop a step of the history); others are not ours.
      if (!/^\d|\.(sql|go)$/.test(name)) continue;
      throw new InputError(path, 1, 1, `cannot read directory: the name "${visible(name)}" is not valid UTF-8; rename the file`);
    }
    // A file system that does not say an entry's kind makes Node lstat it while listing: links are still links.
    entries.push({ name, isDirectory: entry.isDirectory() || (entry.isSymbolicLink() && isDirectoryOrLinkToOne(`${absolute}/${name}`)) });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isDirectoryOrLinkToOne(absolute: string): boolean {
  try {
    return statSync(absolute).isDirectory();
  } catch {
    return false; // a dangling link is not a folder; if it is named like a migration file, reading it says why
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a SQL file as UTF-8 text. Opened without blocking and checked on the open descriptor (no race with a
 * rename), so a FIFO, a device or a socket is refused before a single byte is read; the size is bounded.
 */
export function readSqlFile(absolute: string, path: string): string {
  const bytes = readRegularFile(absolute, path);
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

function readRegularFile(absolute: string, path: string): Buffer {
  const fail = (detail: string): never => {
    throw new InputError(path, 1, 1, `cannot read file: ${detail}`);
  };
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return fail(describeErrno(error));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return fail(`not a regular file (${fileKind(stats)})`);
    if (stats.size > MAX_FILE_BYTES) return fail(`too large (${mebibytes(stats.size)} MiB; the limit is ${mebibytes(MAX_FILE_BYTES)} MiB)`);
    // One byte more than measured: a file that grows while read (or a /proc file, which says size 0) is refused.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) return buffer.subarray(0, length);
      length += read;
    }
    return fail('it changed size while being read');
  } catch (error) {
    if (error instanceof InputError) throw error;
    return fail(describeErrno(error));
  } finally {
    closeSync(fd);
  }
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function mebibytes(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
};

/** A system error as one short phrase (`permission denied`), with its code when it has no phrase here. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && ERRNO_TEXT[code]) return ERRNO_TEXT[code];
  return code ?? (error instanceof Error ? error.message : String(error));
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
