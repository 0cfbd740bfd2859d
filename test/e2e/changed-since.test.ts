import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migcheck, repoRoot } from '../helpers/cli.js';

const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

/** A git repository whose main branch holds the shop fixture's first three migrations; a branch adds the rest. */
function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-changed-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
  cpSync(join(repoRoot, 'fixtures/shop/migrations'), join(dir, 'migrations'), { recursive: true });
  for (const later of ['000004_widen_age', '000005_drop_phone']) rmSync(join(dir, 'migrations', `${later}.up.sql`));
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  cpSync(join(repoRoot, 'fixtures/shop/migrations/000004_widen_age.up.sql'), join(dir, 'migrations/000004_widen_age.up.sql'));
  git('add', '.');
  git('commit', '-q', '-m', 'widen');
  return dir;
}

const lint = (cwd: string, ...args: string[]) => migcheck(['lint', 'migrations', '--no-shadow', '--format', 'json', ...args], { cwd });
const paths = (stdout: string) => (JSON.parse(stdout) as { migrations: Array<{ path: string }> }).migrations.map((migration) => migration.path);

describe('--changed-since', () => {
  it('targets the migrations committed since the ref and the uncommitted ones, nothing else', () => {
    const dir = repository();
    const committed = lint(dir, '--changed-since', 'main');
    expect(committed.stderr).toBe('');
    expect(paths(committed.stdout)).toEqual(['migrations/000004_widen_age.up.sql']);
    cpSync(join(repoRoot, 'fixtures/shop/migrations/000005_drop_phone.up.sql'), join(dir, 'migrations/000005_drop_phone.up.sql'));
    const withUntracked = lint(dir, '--changed-since', 'main');
    expect(paths(withUntracked.stdout)).toEqual(['migrations/000004_widen_age.up.sql', 'migrations/000005_drop_phone.up.sql']);
    expect(withUntracked.status).toBe(1);
  });

  it('keeps the whole folder as history: the prior schema is replayed from the unchanged migrations', () => {
    const dir = repository();
    const result = migcheck(['lint', 'migrations', '--changed-since', 'main', '--format', 'json', '--quiet'], { cwd: dir });
    expect(result.status).toBe(0);
    const [migration] = (JSON.parse(result.stdout) as { migrations: Array<{ changes: Array<{ evidence: string }> }> }).migrations;
    expect(migration!.changes[0]!.evidence).toBe('catalog');
  }, 120_000);

  it('says so and exits 0 when no migration changed', () => {
    const dir = repository();
    writeFileSync(join(dir, 'README.md'), 'not a migration\n');
    const result = lint(dir, '--changed-since', 'HEAD');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('migcheck: no migrations changed since HEAD\n');
  });

  it.each([['--upload-pack=evil'], ['no-such-branch'], ['main\nHEAD']])('refuses the ref %j with exit 2 and one line', (ref) => {
    const result = lint(repository(), `--changed-since=${ref}`);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
