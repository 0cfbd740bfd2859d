/**
 * `migcheck verify` of a corpus (default: Lemmy's 342 migrations): wall time and peak RSS of the whole CLI process,
 * cold (empty cache directory) and warm (the same directory again), for each rehearsal concurrency asked; then,
 * with --phases, one in-process run that says where the time goes, by the code that sent each query to the shadow.
 *
 *   node bench/verify-corpus.mjs [dir] [--concurrency 1,2,3] [--runs 1] [--cold-only] [--phases] [--save out.json]
 *
 * Build first (`pnpm run build`). --save writes the JSON report of the first run, to compare verdicts across changes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const corpus = resolve(args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(root, '../shared/corpora/lemmy'));
const concurrencies = option('--concurrency', '').split(',').filter(Boolean).map(Number);
const runs = Number(option('--runs', '1'));
const save = option('--save', undefined);

if (args[0] === '--child') {
  // One verify with a given concurrency (the CLI has no flag for it): the library, as the CLI calls it.
  const { verify, formatReport } = await import(join(root, 'packages/analyzer/dist/index.js'));
  const report = await verify([args[2]], { concurrency: Number(args[1]), shadow: { cacheDir: process.env.MIGCHECK_CACHE_DIR } });
  // Exit once the report is out: a pipe takes it in pieces.
  process.stdout.write(formatReport(report, 'json'), () => process.exit(0));
  await new Promise(() => {});
}

/** One process: wall seconds and peak RSS (KiB) from GNU time, and its stdout. The CLI, or the library at a concurrency. */
function runCli(cacheDir, concurrency) {
  const cli = concurrency
    ? ['node', fileURLToPath(import.meta.url), '--child', String(concurrency), corpus]
    : ['node', join(root, 'packages/cli/dist/main.js'), 'verify', corpus, '--format', 'json', '--fail-on', 'none'];
  const env = { ...process.env, MIGCHECK_CACHE_DIR: cacheDir };
  const timed = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', ...cli], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const line = timed.stderr.split('\n').find((l) => l.startsWith('TIME '));
  if (timed.status !== 0 || !line) throw new Error(`verify failed (exit ${timed.status}):\n${timed.stderr.slice(-2000)}`);
  const [, seconds, kib] = line.split(' ');
  return { seconds: Number(seconds), mib: Number(kib) / 1024, stdout: timed.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`migcheck verify ${corpus} (${runs} run${runs === 1 ? '' : 's'} each; whole process)`);
for (const concurrency of runs > 0 ? (concurrencies.length > 0 ? concurrencies : [undefined]) : []) {
  const cold = [];
  const warm = [];
  for (let run = 0; run < runs; run++) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-verify-bench-'));
    try {
      const first = runCli(cacheDir, concurrency);
      if (save && run === 0 && cold.length === 0) writeFileSync(`${save}${concurrency ? `.${concurrency}` : ''}`, first.stdout);
      cold.push(first);
      if (!args.includes('--cold-only')) warm.push(runCli(cacheDir, concurrency));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  const label = concurrency ? `concurrency ${concurrency}` : 'default concurrency';
  const show = (name, list) =>
    console.log(`  ${label.padEnd(20)} ${name}: ${median(list.map((r) => r.seconds)).toFixed(1)} s, ${median(list.map((r) => r.mib)).toFixed(0)} MiB  (runs: ${list.map((r) => r.seconds.toFixed(1)).join(', ')} s)`);
  show('cold', cold);
  if (warm.length > 0) show('warm', warm);
}

if (args.includes('--phases')) await phases();

/**
 * One verify in this process, every query to the shadow timed and filed under the migcheck module that sent it
 * (the first analyzer frame of its stack). Times of concurrent queries add up beyond the wall time.
 */
async function phases() {
  const require = createRequire(join(root, 'packages/analyzer/package.json'));
  const pg = require('pg');
  const totals = new Map();
  const original = pg.Client.prototype.query;
  Error.stackTraceLimit = 40;
  pg.Client.prototype.query = function (...queryArgs) {
    const stack = new Error().stack ?? '';
    const started = performance.now();
    const result = original.apply(this, queryArgs);
    if (!result || typeof result.then !== 'function') return result;
    const phase = phaseOf(stack, typeof queryArgs[0] === 'string' ? queryArgs[0] : (queryArgs[0]?.text ?? ''));
    const done = () => {
      const entry = totals.get(phase) ?? { ms: 0, count: 0 };
      entry.ms += performance.now() - started;
      entry.count++;
      totals.set(phase, entry);
    };
    result.then(done, done);
    return result;
  };
  const { verify } = await import(join(root, 'packages/analyzer/dist/index.js'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-verify-bench-'));
  const started = performance.now();
  try {
    await verify([corpus], { shadow: { cacheDir }, ...(concurrencies[0] ? { concurrency: concurrencies[0] } : {}) });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    pg.Client.prototype.query = original;
  }
  const wall = performance.now() - started;
  console.log(`\nwhere the time goes (one in-process cold run, ${(wall / 1000).toFixed(1)} s wall):`);
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  for (const [phase, { ms, count }] of rows) console.log(`  ${phase.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(7)} s  ${String(count).padStart(7)} queries`);
  const queried = rows.reduce((sum, [, { ms }]) => sum + ms, 0);
  console.log(`  ${'(not waiting on the shadow: analysis, diffs…)'.padEnd(44)} ${(Math.max(0, wall - queried) / 1000).toFixed(1).padStart(7)} s`);
}

/** The phase a query belongs to, from the analyzer modules on its (async) stack. */
function phaseOf(stack, sql) {
  const frames = stack.split('\n').filter((frame) => frame.includes('/analyzer/dist/'));
  const has = (path) => frames.some((frame) => frame.includes(path));
  const head = sql.trimStart().slice(0, 20).toUpperCase();
  if (head.startsWith('CREATE DATABASE')) return 'create database (copy of a template)';
  if (head.startsWith('DROP DATABASE')) return 'drop database';
  // A rehearsal in place runs on the replay cursor: its stack holds replay.js too.
  if (has('/shadow/rolled-back.js')) return 'rehearsal in place: sequences, session';
  if (has('/shadow/replay.js') && !has('/rehearsal/')) return has('/catalog/') ? 'replay: read prior schema' : 'replay: apply history';
  if (has('/rehearsal/data.js')) return has('/rehearsal/seed.js') ? 'rehearsal: seed existing tables' : 'rehearsal: checksum data';
  if (has('/rehearsal/seed.js')) return 'rehearsal: seed touched tables';
  if (has('/catalog/')) return 'rehearsal: read schema (before/after)';
  if (has('/shadow/apply.js')) return 'rehearsal: apply migration / down';
  if (has('/rehearsal/rehearse.js')) return 'rehearsal: rollback steps, savepoints';
  return 'other (connect, roles, sessions)';
}
