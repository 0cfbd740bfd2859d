#!/usr/bin/env node
/**
 * squawk over migcheck's own rollback scripts (issue 12): the problems a Postgres team's migration lint finds in
 * the script migcheck asks them to run during an incident.
 *
 * For every Nth migration (default 5) of each shared corpus with down files, build the rollback script as
 * `plan --format sql` prints it (the history replayed in a shadow database for the prior schema, no target
 * database), write it to a file, and run squawk 2.66 (node_modules/.bin/squawk) over all of them. Counts the
 * findings per rule, per corpus and in total.
 *
 *   pnpm run build && node bench/squawk-rollbacks.mjs [--every 5] [--corpus lemmy,vaultwarden,openmeter]
 *        [--server-url postgres://superuser@host/postgres] [--json out.json] [--keep dir]
 *
 * Without --server-url an embedded PostgreSQL 18 is started for the shadow. No suppression comment is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServer } from './server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'packages/analyzer/dist');
const { plan, discoverMigrations } = await import(join(dist, 'index.js'));
const { formatSql } = await import(join(dist, 'report/sql.js'));

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const every = Number(argument('--every', '5'));
const corpora = argument('--corpus', 'lemmy,vaultwarden,openmeter').split(',');
const corporaRoot = resolve(root, '../shared/corpora');
const squawk = join(root, 'node_modules/.bin/squawk');
if (!existsSync(squawk)) throw new Error('squawk is missing: pnpm install');

const server = await startBenchServer({ givenUrl: argument('--server-url'), givenBy: '--server-url', label: 'squawk-rollbacks' });
const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-squawk-cache-'));
const kept = argument('--keep');
const scriptsDir = kept ? resolve(kept) : mkdtempSync(join(tmpdir(), 'migcheck-squawk-scripts-'));
mkdirSync(scriptsDir, { recursive: true });
const results = {};
try {
  for (const corpus of corpora) results[corpus] = await lintCorpus(corpus);
} finally {
  await server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
  if (!kept) rmSync(scriptsDir, { recursive: true, force: true });
}
printTable(results);
const out = argument('--json');
if (out) writeFileSync(out, JSON.stringify(results, null, 2));

async function lintCorpus(corpus) {
  const folder = join(corporaRoot, corpus);
  if (!existsSync(folder)) throw new Error(`corpus missing: ${folder}`);
  const migrations = discoverMigrations([folder]).filter((migration) => !migration.code);
  const dir = join(scriptsDir, corpus);
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (const [index, migration] of migrations.entries()) {
    if (index % every !== every - 1) continue;
    const report = await plan([migration.up.absolutePath], { shadow: { url: server.url, cacheDir } });
    if (!report.rollback) continue; // forward fix only: no script to run
    const file = join(dir, `${String(index + 1).padStart(4, '0')}.sql`);
    writeFileSync(file, formatSql(report));
    files.push(file);
  }
  const perRule = {};
  if (files.length > 0) {
    const run = spawnSync(squawk, ['--reporter', 'json', '--pg-version', '15.0', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status === null || run.status > 1) throw new Error(`squawk failed: ${run.stderr}`);
    for (const finding of JSON.parse(run.stdout || '[]')) perRule[finding.rule_name] = (perRule[finding.rule_name] ?? 0) + 1;
  }
  const total = Object.values(perRule).reduce((sum, count) => sum + count, 0);
  return { scripts: files.length, total, perRule };
}

function printTable(all) {
  const totals = {};
  for (const [corpus, { scripts, total, perRule }] of Object.entries(all)) {
    console.log(`${corpus}: ${scripts} scripts, ${total} findings`);
    for (const [rule, count] of Object.entries(perRule).sort((a, b) => b[1] - a[1])) {
      console.log(`  ${rule.padEnd(40)} ${String(count).padStart(5)}`);
      totals[rule] = (totals[rule] ?? 0) + count;
    }
  }
  console.log('all corpora:');
  for (const [rule, count] of Object.entries(totals).sort((a, b) => b[1] - a[1])) console.log(`  ${rule.padEnd(40)} ${String(count).padStart(5)}`);
}
