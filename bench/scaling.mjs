#!/usr/bin/env node
/**
 * How lint's cost grows with the history: synthetic histories of 1×, 2× and 4× the Lemmy corpus, and one of 5,000
 * migrations, each linted (default path: the shadow's prior schema) warm and cold, whole process, with peak RSS
 * and CPU time (user + system: on a shared machine, steadier than the wall time).
 *
 *   pnpm run build && node bench/scaling.mjs [--runs 3] [--multiples 1,2,4] [--total 5000] [--cold] [--cold-total] [--no-shadow]
 *
 * Copy k of the corpus (k ≥ 1) replays after copy k-1 in the same directory: its folders are renamed later in
 * time (diesel orders by name), each of its files starts with `SET search_path TO copy_k, public` (the first one
 * creates the schema), and its few schema-qualified names `public.x` become `copy_k.x` (its schema `utils`,
 * `utils_copy_k`; its trigger on diesel's table, `forbid_diesel_cli_copy_k`), so its objects are new
 * objects and the history replays. Warm: the cache directory filled by a first run (snapshots and lint's
 * results): the median of `--runs` runs. Cold (`--cold`, `--cold-total` for the 5,000): an empty cache directory,
 * the embedded server started and the history replayed, one run each. A cold run of 5,000 takes many minutes: without
 * `--cold-total`, the 5,000 row runs with --no-shadow (filled by a static run; a warm run that hits every result
 * does the same work either way: discovery, hashing, reading the results, rendering). `--no-shadow`: every row so.
 * Rows with the shadow also run the snapshot-cache-only path (`--no-result-cache` on the filled cache directory:
 * lint's results gone, after an upgrade of migcheck, but the replayed snapshots kept), the median of `--runs`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/main.js');
if (!existsSync(cli)) throw new Error('build first: pnpm run build');
const lemmy = resolve(root, '../shared/corpora/lemmy');
if (!existsSync(lemmy)) throw new Error(`the corpus is missing: ${lemmy}`);

const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const runs = Number(argument('--runs', '3'));
const multiples = argument('--multiples', '1,2,4').split(',').map(Number);
const total = Number(argument('--total', '5000'));
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'migcheck-scaling-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const folders = readdirSync(lemmy).filter((name) => existsSync(join(lemmy, name, 'up.sql'))).sort();

/** Folder `2019-02-26-002946_x` of copy k: the same date 20·k years later; diesel's initial setup goes first. */
function renamed(folder, copy) {
  if (copy === 0) return folder;
  const dated = /^(\d{4})(-.*)$/.exec(folder);
  if (dated) return `${Number(dated[1]) + 20 * copy}${dated[2]}`;
  return `${2018 + 20 * copy}-01-01-000000_${folder.replace(/^\d+_/, '')}_copy${copy}`;
}

/** A history of `count` migrations made of copies of the corpus. */
function history(count) {
  const directory = join(scratch, `history-${count}`);
  mkdirSync(directory);
  for (let index = 0; index < count; index++) {
    const copy = Math.floor(index / folders.length);
    const folder = folders[index % folders.length];
    const target = join(directory, renamed(folder, copy));
    cpSync(join(lemmy, folder), target, { recursive: true });
    if (copy === 0) continue;
    const schema = `copy_${copy}`;
    for (const file of ['up.sql', 'down.sql']) {
      const path = join(target, file);
      if (!existsSync(path)) continue;
      // The corpus's own schema `utils` is created once per copy too.
      const text = readFileSync(path, 'utf8').replace(/\bpublic\./g, `${schema}.`).replace(/\butils\b/g, `utils_${schema}`)
        .replace(/\bforbid_diesel_cli\b/g, `forbid_diesel_cli_${schema}`); // a trigger on diesel's own table, in public
      const create = index % folders.length === 0 && file === 'up.sql' ? `CREATE SCHEMA ${schema};\n` : '';
      writeFileSync(path, `${create}SET search_path TO ${schema}, public;\n${text}`);
    }
  }
  return directory;
}

function lint(directory, cacheDir, staticOnly, extra = []) {
  const report = join(scratch, 'time.txt');
  const args = [cli, 'lint', directory, '--format', 'json', '--fail-on', 'none', '--quiet', ...(staticOnly ? ['--no-shadow'] : []), ...extra];
  const [file, argv] = timeTool ? [timeTool, ['-o', report, '-f', '%M %U %S', process.execPath, ...args]] : [process.execPath, args];
  const started = performance.now();
  const result = spawnSync(file, argv, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, MIGCHECK_CACHE_DIR: cacheDir } });
  const ms = performance.now() - started;
  if (result.status === null || result.status > 1) throw new Error(`lint failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout);
  const failures = parsed.migrations.filter((migration) => migration.history?.failure);
  const failed = failures.length;
  if (failed > 0) console.log(`  replay stopped: ${failures[0].history.failure}`);
  const [rss, user, system] = timeTool ? readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number) : [];
  return { ms, rssMiB: timeTool ? rss / 1024 : undefined, cpuMs: timeTool ? (user + system) * 1000 : undefined, migrations: parsed.migrations.length, failed };
}

/** `runs` runs: the median by wall time, the median CPU time, and the peak RSS of them all. */
function repeated(run) {
  const samples = Array.from({ length: runs }, run).sort((a, b) => a.ms - b.ms);
  const cpu = samples.map((sample) => sample.cpuMs).filter((value) => value !== undefined).sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], cpuMs: cpu[Math.floor(cpu.length / 2)], peak: Math.max(...samples.map((sample) => sample.rssMiB ?? 0)) };
}

const seconds = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`).padStart(9);
const memory = (rss) => (rss === undefined ? '' : `${rss.toFixed(0)} MiB`.padStart(8));
const allStatic = process.argv.includes('--no-shadow');
const sizes = [
  ...multiples.map((multiple) => ({ label: `${multiple}× corpus`, count: multiple * folders.length, cold: process.argv.includes('--cold'), staticOnly: allStatic })),
  { label: `${total} migrations`, count: total, cold: process.argv.includes('--cold-total'), staticOnly: allStatic || !process.argv.includes('--cold-total') },
].filter((size) => size.count > 0); // --total 0: no such row

console.log(`lint of synthetic histories, default path, whole process; warm: median of ${runs}; node ${process.version}\n`);
console.log(`${'history'.padEnd(30)} ${'migrations'.padStart(10)} ${'cold'.padStart(9)} ${'peak'.padStart(8)} ${'warm'.padStart(9)} ${'cpu'.padStart(9)} ${'peak'.padStart(8)} ${'warm/migration'.padStart(15)} ${'snapshots only'.padStart(14)} ${'cpu'.padStart(9)} ${'peak'.padStart(8)}  replay failures`);
const rows = [];
for (const size of sizes) {
  const directory = history(size.count);
  const cacheDir = join(scratch, `cache-${size.count}`);
  const first = lint(directory, cacheDir, size.staticOnly); // cold: an empty cache directory
  const warm = repeated(() => lint(directory, cacheDir, size.staticOnly));
  const { median, peak } = warm;
  const snapshotsOnly = size.staticOnly ? undefined : repeated(() => lint(directory, cacheDir, false, ['--no-result-cache']));
  const cold = size.cold ? `${seconds(first.ms)} ${memory(first.rssMiB)}` : `${'—'.padStart(9)} ${''.padStart(8)}`;
  const label = `${size.label}${size.staticOnly ? ' (--no-shadow)' : ''}`;
  const snapshotCells = snapshotsOnly ? `${seconds(snapshotsOnly.median.ms).padStart(14)} ${seconds(snapshotsOnly.cpuMs)} ${memory(snapshotsOnly.peak)}` : `${'—'.padStart(14)} ${''.padStart(9)} ${''.padStart(8)}`;
  console.log(`${label.padEnd(30)} ${String(median.migrations).padStart(10)} ${cold} ${seconds(median.ms)} ${seconds(warm.cpuMs)} ${memory(peak)} ${`${(median.ms / median.migrations).toFixed(2)} ms`.padStart(15)} ${snapshotCells}  ${first.failed}`);
  rows.push({
    ...size,
    cold: size.cold ? first : undefined,
    firstRun: first,
    warm: median,
    warmCpuMs: warm.cpuMs,
    warmPeakRssMiB: peak,
    ...(snapshotsOnly ? { snapshotsOnly: snapshotsOnly.median, snapshotsOnlyCpuMs: snapshotsOnly.cpuMs, snapshotsOnlyPeakRssMiB: snapshotsOnly.peak } : {}),
  });
  rmSync(directory, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}

mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `scaling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ runs, node: process.version, rows }, null, 2));
console.log(`\nraw figures: ${file}`);
