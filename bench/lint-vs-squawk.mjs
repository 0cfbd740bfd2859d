#!/usr/bin/env node
/**
 * Lint throughput, side by side with squawk in the same run (issue 2's benchmark).
 *
 *   pnpm bench                      # build, then 10 runs of each workload
 *   node bench/lint-vs-squawk.mjs --runs 20 --cold
 *
 * migcheck runs twice per workload: its default path, warm (the prior schema from the shadow, the snapshot cache
 * and lint's result cache filled by a first run: what a CI job with a restored cache does), and --no-shadow (the
 * static analysis that squawk's is comparable to). `--cold` adds the default path with an empty cache directory
 * on every run (a CI runner without a cache: the embedded server starts and replays the history). Peak memory
 * (RSS) is measured with /usr/bin/time where it exists.
 *
 * Workloads: the whole Lemmy history (../shared/corpora/lemmy, 342 migrations), one Lemmy migration,
 * and the shop fixture. Each tool runs as a fresh process, as in CI. squawk is measured twice: through
 * its npm wrapper (what `npx squawk` runs: Node starts, then spawns the Rust binary) and as the bare
 * binary. A phase breakdown of one cold migcheck process shows what dominates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
const cold = process.argv.includes('--cold');
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'migcheck-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

// What `npx migcheck` runs: the package's bin, the bundle (packages/cli/bundle.mjs).
const migcheckCli = join(root, 'packages/cli', JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).bin.migcheck);
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

/**
 * One run, whole process: wall time, and where /usr/bin/time can tell, peak RSS in MiB and CPU time (user + system,
 * 10 ms steps), which a shared machine's load disturbs far less than wall time.
 */
function time(command, args, env = process.env) {
  const report = join(scratch, 'time.txt');
  const [file, argv] = timeTool ? [timeTool, ['-o', report, '-f', '%M %U %S', command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === null || result.status > 1) throw new Error(`${command} failed: ${result.stderr}`);
  if (!timeTool) return { ms };
  const [maxRssKiB, userSeconds, systemSeconds] = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { ms, rssMiB: maxRssKiB / 1024, cpuMs: (userSeconds + systemSeconds) * 1000 };
}

/** `runs` runs after one that warms the file cache (and, for migcheck's default path, its cache directory). */
function measure(command, args, { env, before, count = runs } = {}) {
  const environment = { ...process.env, ...env };
  time(command, args, environment);
  const samples = Array.from({ length: count }, () => {
    before?.();
    return time(command, args, environment);
  });
  const ms = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const rss = samples.map((sample) => sample.rssMiB).filter((value) => value !== undefined);
  const cpu = samples.map((sample) => sample.cpuMs).filter((value) => value !== undefined).sort((a, b) => a - b);
  return {
    min: ms[0],
    median: ms[Math.floor(ms.length / 2)],
    max: ms.at(-1),
    ...(rss.length ? { peakRssMiB: Math.max(...rss) } : {}),
    ...(cpu.length ? { cpuMedianMs: cpu[Math.floor(cpu.length / 2)] } : {}),
  };
}

const migcheckArgs = (paths, ...extra) => [migcheckCli, 'lint', ...paths, '--format', 'json', '--fail-on', 'none', '--quiet', ...extra];
const fmt = (ms) => `${ms.toFixed(0)} ms`.padStart(8);
const cell = (m) =>
  `${fmt(m.median)} (${m.min.toFixed(0)}–${m.max.toFixed(0)})${m.peakRssMiB ? ` ${m.peakRssMiB.toFixed(0)} MiB` : ''}${m.cpuMedianMs !== undefined ? ` cpu ${m.cpuMedianMs.toFixed(0)}` : ''}`.padStart(36);
const results = [];
console.log(`migcheck lint vs squawk, ${runs} runs each, whole process: wall median (min–max), peak RSS, median CPU ms (user + system); node ${process.version}\n`);
console.log(`${'workload'.padEnd(36)} ${'migcheck default, warm'.padStart(36)} ${'migcheck --no-shadow'.padStart(36)} ${'squawk (npm)'.padStart(36)} ${'squawk (binary)'.padStart(36)}  default / npm, binary (wall; cpu)`);
for (const workload of workloads) {
  // The default path (prior schema from the shadow), with its cache directory filled by the first run.
  const cacheDir = mkdtempSync(join(scratch, 'cache-'));
  const migcheck = measure(process.execPath, migcheckArgs(workload.migcheck), { env: { MIGCHECK_CACHE_DIR: cacheDir } });
  // The static path, as squawk works: no shadow database, and no result cache.
  const staticOnly = measure(process.execPath, migcheckArgs(workload.migcheck, '--no-shadow', '--no-result-cache'));
  const wrapper = measure(squawkWrapper, workload.squawk);
  const binary = measure(squawkBinary, workload.squawk);
  const ratio = (m) => (migcheck.median / m.median).toFixed(2);
  const cpuRatio = (m) => (migcheck.cpuMedianMs && m.cpuMedianMs ? (migcheck.cpuMedianMs / m.cpuMedianMs).toFixed(2) : '?');
  console.log(`${workload.name.padEnd(36)} ${cell(migcheck)} ${cell(staticOnly)} ${cell(wrapper)} ${cell(binary)}  ${ratio(wrapper)}× / ${ratio(binary)}×; ${cpuRatio(wrapper)}× / ${cpuRatio(binary)}×`);
  results.push({ workload: workload.name, migcheckDefaultWarm: migcheck, migcheckNoShadow: staticOnly, squawkNpm: wrapper, squawkBinary: binary });
}

// Other paths of the default lint on the corpus: warm without the result cache (only the snapshot cache), and cold.
const corpus = workloads[0];
const snapshotsOnlyDir = mkdtempSync(join(scratch, 'cache-'));
const snapshotsOnly = measure(process.execPath, migcheckArgs(corpus.migcheck, '--no-result-cache'), { env: { MIGCHECK_CACHE_DIR: snapshotsOnlyDir } });
console.log(`\n${`${corpus.name}, other paths`.padEnd(36)}`);
console.log(`  ${'default, snapshot cache only'.padEnd(34)} ${cell(snapshotsOnly)}`);
results.push({ workload: `${corpus.name}: default, snapshot cache only (--no-result-cache)`, migcheck: snapshotsOnly });
if (cold) {
  const coldDir = join(scratch, 'cold');
  const empty = () => rmSync(coldDir, { recursive: true, force: true });
  const coldRuns = measure(process.execPath, migcheckArgs(corpus.migcheck), { env: { MIGCHECK_CACHE_DIR: coldDir }, before: empty, count: Math.min(runs, 3) });
  console.log(`  ${'default, cold (empty cache dir)'.padEnd(34)} ${cell(coldRuns)}`);
  results.push({ workload: `${corpus.name}: default, cold`, migcheck: coldRuns });
}

// What dominates one cold migcheck process on the corpus.
const nodeStart = measure(process.execPath, ['-e', '0']);
const phases = spawnSync(process.execPath, [join(root, 'bench/phases.mjs'), lemmy], { encoding: 'utf8' });
if (phases.status !== 0) throw new Error(phases.stderr);
console.log(`\nOne cold migcheck process on the corpus, by phase (node itself starts in ${nodeStart.median.toFixed(0)} ms${nodeStart.cpuMedianMs !== undefined ? `, cpu ${nodeStart.cpuMedianMs.toFixed(0)} ms` : ''}):`);
console.log(phases.stdout.trimEnd());

mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `lint-vs-squawk-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ runs, node: process.version, results, nodeStart, phases: phases.stdout }, null, 2));
console.log(`\nraw figures: ${file}`);
