#!/usr/bin/env node
/**
 * Lint throughput, side by side with squawk in the same run (issue 2's benchmark).
 *
 *   pnpm bench                      # build, then 10 runs of each workload
 *   node bench/lint-vs-squawk.mjs --runs 20
 *
 * migcheck runs with --no-shadow: the static analysis that squawk's is comparable to. With history, lint
 * also replays it in a shadow database (bench/replay-lemmy.mjs measures that, cold and from the cache).
 *
 * Workloads: the whole Lemmy history (../shared/corpora/lemmy, 342 migrations), one Lemmy migration,
 * and the shop fixture. Each tool runs as a fresh process, as in CI. squawk is measured twice: through
 * its npm wrapper (what `npx squawk` runs: Node starts, then spawns the Rust binary) and as the bare
 * binary. A phase breakdown of one cold migcheck process shows what dominates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

const migcheckCli = join(root, 'packages/cli/dist/main.js');
if (!existsSync(migcheckCli)) throw new Error('build first: pnpm run build');
const squawkWrapper = join(root, 'node_modules/.bin/squawk');
// pnpm links packages: resolve from squawk-cli's real folder, where its platform package sits beside it.
const squawkPackage = createRequire(realpathSync(join(root, 'node_modules/squawk-cli/package.json')));
const squawkBinary = squawkPackage.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);

const lemmy = resolve(root, '../shared/corpora/lemmy');
if (!existsSync(lemmy)) throw new Error(`the corpus is missing: ${lemmy}`);
const lemmyUps = readdirSync(lemmy).sort().map((name) => join(lemmy, name, 'up.sql')).filter(existsSync);
const singleFile = join(lemmy, '2019-03-03-163336_create_post/up.sql');
const shop = join(root, 'fixtures/shop/migrations');
const shopUps = readdirSync(shop).filter((name) => name.endsWith('.up.sql')).map((name) => join(shop, name));

const workloads = [
  { name: `Lemmy corpus (${lemmyUps.length} migrations)`, migcheck: [lemmy], squawk: lemmyUps },
  { name: 'one migration (Lemmy create_post)', migcheck: [singleFile], squawk: [singleFile] },
  { name: `shop fixture (${shopUps.length} migrations)`, migcheck: [shop], squawk: shopUps },
];

function time(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === null || result.status > 1) throw new Error(`${command} failed: ${result.stderr}`);
  return ms;
}

function measure(command, args) {
  time(command, args); // warm the file cache
  const samples = Array.from({ length: runs }, () => time(command, args)).sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor(samples.length / 2)], max: samples.at(-1) };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`.padStart(8);
const results = [];
console.log(`migcheck lint vs squawk, ${runs} runs each, median (min–max); node ${process.version}\n`);
console.log(`${'workload'.padEnd(36)} ${'migcheck'.padStart(20)} ${'squawk (npm)'.padStart(20)} ${'squawk (binary)'.padStart(20)}  ratio npm / binary`);
for (const workload of workloads) {
  // The static path, as squawk works: no shadow database (its replay is measured by replay-lemmy.mjs).
  const migcheck = measure(process.execPath, [migcheckCli, 'lint', ...workload.migcheck, '--no-shadow', '--format', 'json', '--fail-on', 'none']);
  const wrapper = measure(squawkWrapper, workload.squawk);
  const binary = measure(squawkBinary, workload.squawk);
  const cell = (m) => `${fmt(m.median)} (${m.min.toFixed(0)}–${m.max.toFixed(0)})`.padStart(20);
  const ratio = (m) => (migcheck.median / m.median).toFixed(2);
  console.log(`${workload.name.padEnd(36)} ${cell(migcheck)} ${cell(wrapper)} ${cell(binary)}  ${ratio(wrapper)}× / ${ratio(binary)}×`);
  results.push({ workload: workload.name, migcheck, squawkNpm: wrapper, squawkBinary: binary });
}

// What dominates one cold migcheck process on the corpus.
const nodeStart = measure(process.execPath, ['-e', '0']);
const phases = spawnSync(process.execPath, [join(root, 'bench/phases.mjs'), lemmy], { encoding: 'utf8' });
if (phases.status !== 0) throw new Error(phases.stderr);
console.log(`\nOne cold migcheck process on the corpus, by phase (node itself starts in ${nodeStart.median.toFixed(0)} ms):`);
console.log(phases.stdout.trimEnd());

mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `lint-vs-squawk-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ runs, node: process.version, results, nodeStart, phases: phases.stdout }, null, 2));
console.log(`\nraw figures: ${file}`);
