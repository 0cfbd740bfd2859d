/**
 * Hostile and broken migration folders, read by the built CLI as a user would run it: each case must end
 * within a bound with exit 2 and one line on stderr (`migcheck: path:line:col: …`), or be ignored when the
 * migration tool would ignore it too. The CLI runs as a child process: a read that hangs (a FIFO,
 * /dev/zero) must be caught by the test's timeout, not hang the test runner.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const migcheckPath = resolve(repoRoot, 'packages/cli/dist/main.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The CLI, bounded in time; `asUser` runs it as that (non-root) user: this machine's tests run as root. */
function lint(args: string[], options: { asUser?: string } = {}): Run {
  const command = options.asUser ? 'runuser' : process.execPath;
  const argv = [migcheckPath, 'lint', ...args, '--no-shadow'];
  const result = spawnSync(command, options.asUser ? ['-u', options.asUser, '--', process.execPath, ...argv] : argv, {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.error !== undefined || result.signal !== null };
}

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-hostile-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Exit 2, nothing on stdout, exactly one line on stderr that matches. */
function expectRefused(run: Run, line: RegExp): void {
  expect(run.timedOut).toBe(false);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(line);
  expect(run.status).toBe(2);
}

const runsAsRoot = process.getuid?.() === 0;

describe('unterminated tokens are syntax errors, never "no statements"', () => {
  it.each([
    ['a comment that is never closed', 'SELECT 1;\n/* ALTER TABLE t DROP COLUMN c; */ /* left open\n', /:2:36: unterminated \/\* comment/],
    ['a file that is only an open comment', '-- header\n/* TODO\nALTER TABLE t DROP COLUMN c;\n', /:2:1: unterminated \/\* comment/],
    ['a nested comment closed once', '/* outer /* inner */ still open\n', /:1:1: unterminated \/\* comment/],
    ['a quoted string', "SELECT 'abc;\nDROP TABLE t;\n", /:1:8: unterminated quoted string/],
    ['a dollar quote', 'DO $body$ BEGIN PERFORM 1; END $$;\n', /:1:4: unterminated dollar-quoted string/],
    ['a quoted identifier', 'ALTER TABLE "t\nDROP COLUMN c;\n', /:1:13: unterminated quoted identifier/],
  ])('%s', (_what, sql, message) => {
    const dir = folder({ '1_bad.sql': sql });
    expectRefused(lint([join(dir, '1_bad.sql')]), new RegExp(`^migcheck: .*1_bad\\.sql${message.source}`));
  });
});

describe('files that are not regular files', () => {
  it('a FIFO named like a migration: refused at once, not read (a read would wait for a writer forever)', () => {
    const dir = folder({ '1_a.sql': 'SELECT 1;\n' });
    expect(spawnSync('mkfifo', [join(dir, '2_b.sql')]).status).toBe(0);
    expectRefused(lint([dir]), /^migcheck: .*2_b\.sql:1:1: cannot read file: not a regular file \(a FIFO\)/);
  });

  it('a link to /dev/zero: refused, not read', () => {
    const dir = folder({ '1_a.sql': 'SELECT 1;\n' });
    symlinkSync('/dev/zero', join(dir, '2_zero.sql'));
    expectRefused(lint([dir]), /^migcheck: .*2_zero\.sql:1:1: cannot read file: not a regular file \(a character device\)/);
    expectRefused(lint([join(dir, '2_zero.sql')]), /2_zero\.sql:1:1: cannot read file: not a regular file/);
  });

  it('an absurdly large file: refused with its size, not read into memory', () => {
    const dir = folder();
    writeFileSync(join(dir, '1_big.sql'), '');
    truncateSync(join(dir, '1_big.sql'), 3 * 1024 ** 3); // sparse: costs no disk
    expectRefused(lint([dir]), /^migcheck: .*1_big\.sql:1:1: cannot read file: too large \(3072 MiB; the limit is \d+ MiB\)/);
  });

  it('a link that points nowhere, named like a migration: refused, not skipped', () => {
    const dir = folder({ '1_a.sql': 'SELECT 1;\n' });
    symlinkSync(join(dir, 'gone.sql'), join(dir, '2_gone.sql'));
    expectRefused(lint([dir]), /2_gone\.sql:1:1: cannot read file: no such file/);
  });
});

describe('file names', () => {
  it('a migration whose name is not UTF-8: refused with the folder, not skipped; other such names are ignored', () => {
    const dir = folder({ '1_a.sql': 'SELECT 1;\n' });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/notes-`), Buffer.from([0xff]), Buffer.from('.txt')]), 'not a migration');
    expect(lint([dir]).status).toBe(0);
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/2_`), Buffer.from([0xff, 0xfe]), Buffer.from('.sql')]), 'DROP TABLE t;');
    expectRefused(lint([dir]), /^migcheck: .*:1:1: cannot read directory: the name "2_\uFFFD\uFFFD\.sql" is not valid UTF-8; rename the file$/m);
  });
});

describe.skipIf(!runsAsRoot)('permissions (run as the unprivileged user nobody)', () => {
  it('a directory without read permission: permission denied, not "no migrations found"', () => {
    const dir = folder({ 'migrations/1_a.sql': 'SELECT 1;\n' });
    chmodSync(join(dir, 'migrations'), 0o311);
    expectRefused(lint([join(dir, 'migrations')], { asUser: 'nobody' }), /^migcheck: .*migrations:1:1: cannot read directory: permission denied/);
  });

  it('a migration folder without read permission inside a diesel directory: refused, not skipped', () => {
    const dir = folder({ '2024-01-01-000000_a/up.sql': 'SELECT 1;\n', '2024-02-01-000000_b/up.sql': 'SELECT 2;\n' });
    chmodSync(join(dir, '2024-02-01-000000_b'), 0o300);
    expectRefused(lint([dir], { asUser: 'nobody' }), /2024-02-01-000000_b:1:1: cannot read directory: permission denied/);
  });

  it('a migration file without read permission: permission denied', () => {
    const dir = folder({ '1_a.sql': 'SELECT 1;\n' });
    chmodSync(join(dir, '1_a.sql'), 0o200);
    expectRefused(lint([dir], { asUser: 'nobody' }), /1_a\.sql:1:1: cannot read file: permission denied/);
  });
});

describe('files no migration tool runs are not migrations', () => {
  it('ignores dot-files, dot-directories and editor backups', () => {
    const dir = folder({
      '1_a.sql': 'SELECT 1;\n',
      '.2_hidden.sql': 'ALTER TABLE t DROP COLUMN c;\n',
      '.git/3_x.sql': 'DROP TABLE t;\n',
      '1_a.sql~': 'DROP TABLE t;\n',
      '.1_a.sql.swp': 'DROP TABLE t;\n',
      '#1_a.sql#': 'DROP TABLE t;\n',
    });
    const run = lint([dir, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { migrations: { id: string }[] };
    expect(report.migrations.map((migration) => migration.id)).toEqual(['1_a']);
  });

  it('ignores hidden migration folders of a diesel directory', () => {
    const dir = folder({
      '2024-01-01-000000_a/up.sql': 'SELECT 1;\n',
      '.2024-02-01-000000_b/up.sql': 'ALTER TABLE t DROP COLUMN c;\n',
    });
    const run = lint([dir, '--format', 'json']);
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { migrations: unknown[] }).migrations).toHaveLength(1);
  });

  it('a folder of nothing but hidden files has no migrations', () => {
    const dir = folder({ '.1_a.sql': 'SELECT 1;\n' });
    expectRefused(lint([dir]), /no migrations found in this directory/);
  });
});
