/**
 * Every migration of every shared corpus (../shared/corpora, see its README) is discovered in its own tool's
 * order. The expected order is computed here from the folder listing by each tool's documented rule, written
 * independently of migcheck's layouts; and `migcheck lint --no-shadow` of each whole corpus completes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { reportSchema } from '../packages/analyzer/src/report/schema.js';
import { openShadow } from '../packages/analyzer/src/shadow/index.js';
import { discoverMigrations } from '../packages/analyzer/src/source/discover.js';
import { repoRoot } from './helpers/cli.js';

const corpora = resolve(import.meta.dirname, '../../shared/corpora');
const cliPath = resolve(repoRoot, 'packages/cli/dist/main.js');

const folders = (dir: string) => readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory());
const fileNames = (dir: string) => readdirSync(dir).filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile());
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byInteger = (a: string, b: string) => (BigInt(a.split('_')[0]!) < BigInt(b.split('_')[0]!) ? -1 : 1);

/** The order each tool runs the corpus in, by that tool's rule. */
const EXPECTED: Record<string, { path: string; layout: string; count: number; order: () => string[] }> = {
  // diesel_migrations: the folder name up to its first `_`, dashes removed, compared as a string.
  lemmy: { path: 'lemmy', layout: 'diesel', count: 342, order: () => dieselOrder('lemmy') },
  vaultwarden: { path: 'vaultwarden', layout: 'diesel', count: 46, order: () => dieselOrder('vaultwarden') },
  // golang-migrate: `<uint>_<name>.up.sql`, by the number.
  openmeter: {
    path: 'openmeter',
    layout: 'golang-migrate',
    count: 269,
    order: () => fileNames(join(corpora, 'openmeter')).filter((name) => /^\d+_.*\.up\.sql$/.test(name)).sort(byInteger),
  },
  // goose: `<int64>_<name>.sql` and `.go`, by the number.
  hatchet: {
    path: 'hatchet',
    layout: 'goose',
    count: 233,
    order: () => fileNames(join(corpora, 'hatchet')).filter((name) => /^\d+_.*\.(sql|go)$/.test(name)).sort(byInteger),
  },
  // Prisma Migrate: the folders of migrations/, by name.
  documenso: {
    path: 'documenso/migrations',
    layout: 'prisma',
    count: 163,
    order: () => folders(join(corpora, 'documenso/migrations')).sort(byBytes).map((name) => `${name}/migration.sql`),
  },
};

function dieselOrder(corpus: string): string[] {
  const key = (name: string) => name.split('_')[0]!.replace(/-/g, '');
  return folders(join(corpora, corpus))
    .sort((a, b) => byBytes(key(a), key(b)))
    .map((name) => `${name}/up.sql`);
}

function lintCorpus(path: string) {
  return spawnSync(process.execPath, [cliPath, 'lint', join(corpora, path), '--no-shadow', '--format', 'json', '--quiet'], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
}

describe.skipIf(!existsSync(corpora))('shared corpora (../shared/corpora)', () => {
  describe.each(Object.entries(EXPECTED))('%s', (_name, expected) => {
    it(`discovers every migration in the order ${expected.layout} runs them`, () => {
      const dir = join(corpora, expected.path);
      const migrations = discoverMigrations([dir], { cwd: dir });
      expect(migrations).toHaveLength(expected.count);
      expect(migrations.every((migration) => migration.layout === expected.layout)).toBe(true);
      expect(migrations.map((migration) => migration.up.path)).toEqual(expected.order());
      expect(migrations[0]!.directory!.notes).toEqual([]);
    });

    it('lints the whole corpus without a shadow, into a valid report', () => {
      const run = lintCorpus(expected.path);
      expect(run.stderr).toBe('');
      expect([0, 1]).toContain(run.status);
      expect(reportSchema.parse(JSON.parse(run.stdout)).summary.migrations).toBe(expected.count);
    });
  });

  // Issue 9's target: the replay gets as far as Postgres allows, as the sandbox role (Lemmy's superuser-only
  // maintenance toggles in their sandbox forms), on the run's real server.
  describe('the whole history replays in the shadow, as the sandbox role', () => {
    const replayTo = async (path: string) => {
      const dir = join(corpora, path);
      const migrations = discoverMigrations([dir], { cwd: dir });
      const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-corpus-replay-'));
      const shadow = await openShadow({ url: inject('postgresUrl'), cacheDir });
      try {
        return { migrations, result: await shadow.priorSnapshot(migrations.at(-1)!) };
      } finally {
        await shadow.close();
        rmSync(cacheDir, { recursive: true, force: true });
      }
    };

    it.each(['lemmy', 'vaultwarden', 'openmeter', 'documenso'])('%s: every migration', async (name) => {
      const { result } = await replayTo(EXPECTED[name]!.path);
      expect('failure' in result ? result.failure : undefined).toBeUndefined();
    }, 300_000);

    it('hatchet: up to its first Go-coded step', async () => {
      const { migrations, result } = await replayTo('hatchet');
      if (!('failure' in result)) throw new Error('expected the replay to stop at a Go step');
      expect(result.migration).toBe(migrations.find((migration) => migration.code));
    }, 300_000);
  });

  it('hatchet: 9 Go migrations are code steps; the Up sections never hold the Down sections', () => {
    const dir = join(corpora, 'hatchet');
    const migrations = discoverMigrations([dir], { cwd: dir });
    const code = migrations.filter((migration) => migration.code);
    expect(code.map((migration) => migration.up.path)).toEqual(fileNames(dir).filter((name) => name.endsWith('.go')).sort(byInteger));
    expect(code.every((migration) => migration.code!.language === 'go' && migration.up.text === '')).toBe(true);
    const sql = migrations.filter((migration) => !migration.code);
    expect(sql).toHaveLength(224);
    expect(sql.filter((migration) => migration.down)).toHaveLength(136);
    expect(sql.filter((migration) => migration.transaction === false)).toHaveLength(33);
    for (const migration of sql) {
      expect(migration.up.text).not.toMatch(/^--\s*\+goose\s+down/im);
      expect(migration.down?.text ?? '').not.toMatch(/^--\s*\+goose\s+up/im);
    }
  });

  it('automatisch (knex, JavaScript): every migration captured and judged; those that read the database or the app config not fully', () => {
    const run = lintCorpus('automatisch');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1); // irreversible drops in the history
    const report = reportSchema.parse(JSON.parse(run.stdout));
    expect(report.migrations).toHaveLength(122);
    expect(report.migrations.every((migration) => migration.layout === 'knex')).toBe(true);
    const partial = report.migrations.filter((migration) => migration.changes.some((change) => change.rule === 'code-migration'));
    // 9 import the app's config and 2 lodash (not installed here): not loaded; 16 read the database.
    expect(partial.filter((migration) => migration.changes[0]!.reason.includes('could not be loaded'))).toHaveLength(11);
    expect(report.migrations.length - partial.length).toBe(95);
    expect(partial.every((migration) => migration.verdict !== 'safe')).toBe(true);
  });

  it('documenso: the project folder points at its migrations folder', () => {
    const run = lintCorpus('documenso');
    expect(run.stderr).toMatch(/no migrations found in this directory; did you mean .*documenso\/migrations\?/);
    expect(run.status).toBe(2);
  });
});
