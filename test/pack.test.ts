/**
 * The packages as a user gets them: `pnpm pack` both, `npm install` the tarballs into an empty folder, and run
 * the CLI, the library and a strict TypeScript consumer from there, with nothing else installed. Needs the
 * built dist/ (the e2e tests run it too) and the npm registry for the dependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'migcheck-pack-'));
const project = join(work, 'project');

// As a user's shell would run it: without the npm_config_* settings pnpm passes to the test run (npm warns on them).
const userEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name))), NO_COLOR: '1' };

function run(command: string, args: string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: userEnv });
}

function tarballEntries(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
}

let tarballs: string[] = [];

beforeAll(() => {
  for (const pkg of ['analyzer', 'cli']) {
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: join(root, 'packages', pkg), stdio: 'ignore' });
  }
  tarballs = readdirSync(work).filter((name) => name.endsWith('.tgz')).map((name) => join(work, name));
  cpSync(join(root, 'fixtures/shop'), join(project, 'shop'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = performance.now();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, stdio: 'ignore', env: userEnv });
  const seconds = (performance.now() - started) / 1000;
  const size = execFileSync('du', ['-sk', join(project, 'node_modules')], { encoding: 'utf8' }).split('\t')[0];
  console.log(`npm install of the packed tarballs: ${seconds.toFixed(1)} s, node_modules ${(Number(size) / 1024).toFixed(0)} MB`);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed packages, installed with npm into an empty project', () => {
  it('each tarball holds its README and LICENSE', () => {
    expect(tarballs).toHaveLength(2);
    for (const tarball of tarballs) expect(tarballEntries(tarball)).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE']));
  });

  it('runs `npx migcheck lint --no-shadow` on the shop fixture', () => {
    const result = run('npx', ['--no-install', 'migcheck', 'lint', '--no-shadow', 'shop/migrations'], project);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('shop/migrations/000005_drop_phone.up.sql  IRREVERSIBLE');
    expect(result.status).toBe(1);
  }, 60_000);

  it('runs the library from an ES module', () => {
    const script = "import { lint } from '@migcheck/analyzer'; const r = await lint(['shop/migrations'], { shadow: false }); console.log(r.outcome);";
    const result = run('node', ['--input-type=module', '-e', script], project);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('forward-fix-only');
  }, 60_000);

  it('says in one line that require() cannot load it', () => {
    const result = run('node', ['-e', "require('@migcheck/analyzer')"], project);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('@migcheck/analyzer is ESM-only');
  });

  it('type-checks a strict TypeScript consumer (nodenext, no skipLibCheck) with nothing else installed', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { lint, formatReport, loadConfig, type Report, type MigcheckConfig } from '@migcheck/analyzer';",
        "import { reportSchema } from '@migcheck/analyzer/schema';",
        "const report: Report = reportSchema.parse(await lint(['shop/migrations'], { shadow: false }));",
        'const config: MigcheckConfig | undefined = (await loadConfig(process.cwd()))?.config;',
        "console.log(formatReport(report, 'text'), config?.failOn);",
      ].join('\n'),
    );
    const result = run(process.execPath, [tsc, '-p', project], project);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);
});
