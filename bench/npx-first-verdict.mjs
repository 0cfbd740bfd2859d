#!/usr/bin/env node
/**
 * Time from `npx migcheck lint shop/migrations` to the first verdict, as a user who just installed migcheck
 * from npm sees it: both packages packed (`pnpm pack`), installed with npm into an empty project, then run
 * cold (an empty cache directory: the embedded server is initialised and started, the history replayed) and warm
 * (the replayed snapshot cached, no server started), each a few times; prints the median and the range.
 * Also prints the install's time and size, with and without the optional embedded server.
 *
 *   pnpm run build && node bench/npx-first-verdict.mjs [runs=3]
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'migcheck-npx-bench-'));
// As a user's shell would: without the npm_config_* settings a pnpm script passes down.
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name))), NO_COLOR: '1' };

function install(dir, extraArgs, tarballs) {
  mkdirSync(dir);
  cpSync(join(root, 'fixtures/shop'), join(dir, 'shop'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = performance.now();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extraArgs, ...tarballs], { cwd: dir, stdio: 'ignore', env });
  const seconds = (performance.now() - started) / 1000;
  const megabytes = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]) / 1024;
  return `${seconds.toFixed(1)} s, node_modules ${megabytes.toFixed(0)} MB`;
}

/** Seconds until stdout shows the first `path  verdict` line of the text format. */
function firstVerdict(cwd, cacheDir) {
  return new Promise((done, fail) => {
    const started = performance.now();
    let stdout = '';
    let seconds;
    const child = spawn('npx', ['--no-install', 'migcheck', 'lint', '--quiet', 'shop/migrations'], { cwd, env: { ...env, MIGCHECK_CACHE_DIR: cacheDir } });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (seconds === undefined && /\.up\.sql {2}(safe|risky|IRREVERSIBLE)/.test(stdout)) seconds = (performance.now() - started) / 1000;
    });
    child.on('error', fail);
    child.on('close', (status) => (seconds === undefined || status !== 1 ? fail(new Error(`exit ${status}, no verdict: ${stdout}`)) : done(seconds)));
  });
}

const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} s (${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)} s, ${times.length} runs)`;
};

try {
  for (const pkg of ['analyzer', 'cli']) execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: join(root, 'packages', pkg), stdio: 'ignore' });
  const tarballs = readdirSync(work).filter((name) => name.endsWith('.tgz')).map((name) => join(work, name));
  const project = join(work, 'project');
  console.log(`npm install, with the embedded server: ${install(project, [], tarballs)}`);
  console.log(`npm install --omit=optional (no embedded server): ${install(join(work, 'lean'), ['--omit=optional'], tarballs)}`);
  const cold = [];
  const warm = [];
  for (let run = 0; run < runs; run++) {
    const cacheDir = join(work, `cache-${run}`);
    cold.push(await firstVerdict(project, cacheDir));
    warm.push(await firstVerdict(project, cacheDir));
  }
  console.log(`npx migcheck lint shop/migrations, first verdict: cold ${summary(cold)}; warm ${summary(warm)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
