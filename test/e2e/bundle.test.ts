/**
 * The published CLI is one bundle (packages/cli/bundle.mjs → dist/bin/migcheck.js, the package's bin), the other
 * tests run the tsc output (dist/main.js). The bundle must behave byte for byte like it: every output format,
 * usage and input errors, the shadow's replay, the result cache warm, and code migrations (whose capture runner
 * is a second entry of the bundle, found beside its chunks). And it must load from node_modules only packages
 * the CLI itself depends on: under pnpm's strict layout nothing else resolves from the CLI's folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const cliPackage = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const bundle = resolve(repoRoot, 'packages/cli', cliPackage.bin.migcheck!);
const unbundled = resolve(repoRoot, 'packages/cli/dist/main.js');
const lemmy = resolve(repoRoot, '../shared/corpora/lemmy');
const shop = 'fixtures/shop/migrations';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** One run of a CLI entry: exit status, stdout and stderr, with its own cache directory. */
function run(entry: string, args: string[], cacheDir: string) {
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', MIGCHECK_CACHE_DIR: cacheDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bundled CLI (the package\'s bin)', () => {
  it('is a file of its own, not the tsc output the other tests run', () => {
    expect(cliPackage.bin.migcheck).toBe('./dist/bin/migcheck.js');
    expect(readFileSync(bundle, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  const commands: Array<[string, () => string[]]> = [
    ['--version', () => ['--version']],
    ['--help', () => ['--help']],
    ['lint --help', () => ['lint', '--help']],
    ['a usage error', () => ['lint', '--format', 'nonsense', shop]],
    ['a missing file', () => ['lint', 'fixtures/no-such-file.sql']],
    ['lint --no-shadow, text', () => ['lint', shop, '--no-shadow']],
    ['lint --no-shadow, json', () => ['lint', shop, '--no-shadow', '--format', 'json']],
    ['lint --no-shadow, sarif', () => ['lint', shop, '--no-shadow', '--format', 'sarif']],
    ['lint --no-shadow, markdown', () => ['lint', shop, '--no-shadow', '--format', 'markdown']],
    ['lint with the shadow, cold then warm', () => ['lint', shop, '--shadow-url', inject('postgresUrl'), '--quiet']],
    ['plan --format sql with the shadow', () => ['plan', `${shop}/000004_widen_age.up.sql`, '--shadow-url', inject('postgresUrl'), '--quiet', '--format', 'sql']],
    ['one Lemmy migration', () => ['lint', join(lemmy, '2019-03-03-163336_create_post/up.sql'), '--no-shadow', '--format', 'json']],
    ['the Lemmy corpus --no-shadow', () => ['lint', lemmy, '--no-shadow', '--format', 'json', '--fail-on', 'none']],
    ['knex migrations (the capture runner)', () => ['lint', 'fixtures/knex/migrations', '--no-shadow']],
    ['node-pg-migrate migrations', () => ['lint', 'fixtures/node-pg-migrate/migrations', '--no-shadow']],
    ['Sequelize migrations', () => ['lint', 'fixtures/sequelize/migrations', '--no-shadow']],
    ['TypeORM migrations', () => ['lint', 'fixtures/typeorm/migrations', '--no-shadow', '--format', 'json']],
  ];
  it.each(commands)('prints what the tsc output prints: %s', (_name, args) => {
    const caches = [bundle, unbundled].map(() => mkdtempSync(join(tmpdir(), 'migcheck-bundle-')));
    folders.push(...caches);
    const [fromBundle, fromTsc] = [bundle, unbundled].map((entry, index) => run(entry, args(), caches[index]!));
    expect(fromTsc!.status, fromTsc!.stderr).not.toBeNull();
    // A difference here after a source change usually means a stale bundle: `pnpm run build` makes both.
    expect(fromBundle).toEqual(fromTsc);
    // Again with the cache each run filled (lint's result cache, the shadow's snapshots).
    expect(run(bundle, args(), caches[0]!)).toEqual(run(unbundled, args(), caches[1]!));
  }, 120_000);

  it('loads from node_modules only Node\'s modules and packages the CLI depends on', () => {
    const folder = resolve(bundle, '..');
    const dependencies = new Set([...Object.keys(cliPackage.dependencies), ...Object.keys(cliPackage.optionalDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const outside: string[] = [];
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(folder, file), 'utf8');
      // esbuild's output: `import { a, b as c } from "x";` (perhaps over several lines), `export … from "x";`, `import("x")`.
      const statics = code.matchAll(/^(?:import|export)\s*(?:[\w$*\s{},]+?\s*from\s*)?"([^"]+)";$/gm);
      const dynamics = code.matchAll(/\bimport\("([^"]+)"\)/g);
      for (const [, specifier] of [...statics, ...dynamics]) {
        if (specifier!.startsWith('./') || specifier!.startsWith('node:') || builtins.has(specifier!)) continue;
        const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
        if (!dependencies.has(name) || name === '@migcheck/analyzer') outside.push(`${file}: ${specifier}`);
      }
    }
    // @migcheck/analyzer is bundled: importing it would run a second copy, built separately.
    expect(outside).toEqual([]);
  });

  it("lets V8's young generation grow to 8 MiB, not 32 (README, Memory)", () => {
    // A module loaded before the CLI's own (node --import) reports the young generation's size as the process exits.
    const folder = mkdtempSync(join(tmpdir(), 'migcheck-bundle-'));
    folders.push(folder);
    const probe = join(folder, 'young-generation.mjs');
    writeFileSync(probe, "import v8 from 'node:v8';\nprocess.on('exit', () => process.stderr.write(`new_space ${v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size}\\n`));\n");
    const sizeAfter = (args: string[]) => {
      const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MIGCHECK_CACHE_DIR: folder } });
      const size = /new_space (\d+)/.exec(result.stderr)?.[1];
      expect(size, result.stderr).toBeDefined();
      return Number(size);
    };
    // Lemmy's 342 migrations, parsed and assessed: V8 alone doubles the young generation to 32 MiB on the way.
    const lint = ['lint', lemmy, '--no-shadow', '--format', 'json', '--fail-on', 'none'];
    const startUp = sizeAfter(['--import', probe, '-e', '']);
    expect(sizeAfter(['--import', probe, '-e', 'const kept = []; for (let i = 0; i < 2e6; i++) { kept.push({ i }); if (kept.length > 1e5) kept.length = 0; }'])).toBeGreaterThan(startUp);
    expect(sizeAfter(['--import', probe, bundle, ...lint])).toBeLessThanOrEqual(8 * 1024 * 1024);
  }, 60_000);

  it("carries the hash of its files, which is the build's identity in lint's result cache", () => {
    const bin = dirname(bundle);
    const hash = createHash('sha256');
    for (const name of readdirSync(bin).sort()) if (name !== 'build-identity.txt') hash.update(name).update('\0').update(readFileSync(join(bin, name))).update('\0');
    expect(readFileSync(join(bin, 'build-identity.txt'), 'utf8')).toBe(`${hash.digest('hex')}\n`);

    // A copy of the bundle beside it (it resolves its packages from the CLI's folder): another identity, other entries.
    const copy = mkdtempSync(join(dirname(bin), 'bin-copy-'));
    folders.push(copy);
    cpSync(bin, copy, { recursive: true });
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-bundle-identity-'));
    folders.push(cacheDir);
    const entries = () => readdirSync(join(cacheDir, 'results')).filter((name) => name.endsWith('.json')).length;
    const lint = (entry: string) => expect(run(entry, ['lint', shop, '--no-shadow', '--format', 'json'], cacheDir).status).toBe(1);
    lint(join(copy, 'migcheck.js'));
    expect(entries()).toBe(5);
    lint(join(copy, 'migcheck.js'));
    expect(entries()).toBe(5); // the same build: every result from the cache
    writeFileSync(join(copy, 'build-identity.txt'), `${'0'.repeat(64)}\n`);
    lint(join(copy, 'migcheck.js'));
    expect(entries()).toBe(10); // another build: analysed again, stored under new keys
  }, 60_000);
});
