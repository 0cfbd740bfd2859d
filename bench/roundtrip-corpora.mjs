#!/usr/bin/env node
/**
 * The round trip over every shared corpus with down files (issue 9): the truth metric for rollbacks.
 *
 * For each corpus, replay its history into a real PostgreSQL database (the "target") in the tool's order. At every
 * Nth migration: snapshot the schema, apply the migration's up, plan its rollback against that live database
 * (`plan --database-url … --state applied`, the incident case), run the script with psql in a copy of the target,
 * and compare the copy's schema with the snapshot taken before the up. The project's own down file gets the same
 * oracle in another copy.
 *
 *   pnpm run build && node bench/roundtrip-corpora.mjs [--every 10] [--corpus lemmy,vaultwarden,…]
 *        [--server-url postgres://superuser@host/postgres] [--json out.json] [--verbose]
 *
 * Without --server-url an embedded PostgreSQL 18 is started. Counts per corpus, for migcheck's rollback:
 *   exact                          the script ran and the schema equals the one before the up
 *   safe but not exact             verdict safe, yet the script failed or the schema differs   (target: 0)
 *   not flagged, not exact         verdict risky, script not marked INCOMPLETE, yet failed or differs (target: 0)
 *   flagged incomplete             the script says INCOMPLETE (the report told the user)
 *   forward-fix-only               no script: some change is irreversible
 * and for the project's own down: exact / not exact / fails / none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrl as urlOfDatabase, startBenchServer } from './server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'packages/analyzer/dist');
const { plan, discoverMigrations, readSchemaSnapshot, diffSnapshots, formatDifferences } = await import(join(dist, 'index.js'));
const { toolSetupSql } = await import(join(dist, 'shadow/tracking.js'));

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const every = Number(argument('--every', '10'));
const verbose = process.argv.includes('--verbose');
const corpora = argument('--corpus', 'lemmy,vaultwarden,openmeter,hatchet,automatisch').split(',');
const corporaRoot = resolve(root, '../shared/corpora');
/** Where each corpus keeps its migrations (the folder its tool reads). */
const FOLDERS = { lemmy: 'lemmy', vaultwarden: 'vaultwarden', openmeter: 'openmeter', hatchet: 'hatchet', documenso: 'documenso/migrations' };
/** Backups a plan may take live in their own schema; they are not part of the schema being restored. */
const BACKUP_SCHEMA = 'migcheck_backup';

const server = await startBenchServer({ givenUrl: argument('--server-url'), givenBy: '--server-url', label: 'roundtrip' });
const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-roundtrip-cache-'));
const workDir = mkdtempSync(join(tmpdir(), 'migcheck-roundtrip-'));
const results = {};
try {
  for (const corpus of corpora) results[corpus] = await roundTrip(corpus);
} finally {
  await server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
}

printTable(results);
const out = argument('--json');
if (out) writeFileSync(out, JSON.stringify(results, null, 2));

// ─── One corpus ────────────────────────────────────────────────────────────────────────────────────────

async function roundTrip(corpus) {
  const folder = join(corporaRoot, FOLDERS[corpus] ?? corpus);
  if (!existsSync(folder)) throw new Error(`corpus missing: ${folder}`);
  const started = performance.now();
  const migrations = discoverMigrations([folder]);
  const target = `rt_${corpus}`;
  await admin(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${target}`);
  // The migration tool's own tracking table exists before its first migration (migrations may refer to it).
  const setup = toolSetupSql(migrations[0]?.layout);
  if (setup) runSql(target, setup, false);
  const tally = {
    migrations: migrations.length, sampled: 0, replayStoppedAt: undefined,
    ours: { exact: 0, safeNotExact: 0, notFlaggedNotExact: 0, flaggedIncomplete: 0, forwardFixOnly: 0 },
    // exactWhereOursRuns: on the samples migcheck writes a script for (not forward-fix-only), for a like-for-like
    // comparison: the schema oracle cannot see the data a dropped column or an UPDATE took, which is why migcheck
    // refuses a rollback there while a hand-written down "restores" the schema.
    theirs: { exact: 0, notExact: 0, fails: 0, none: 0, exactWhereOursRuns: 0 },
    problems: [],
    /** Every sample: what migcheck and the project's own down did, and why (for --verbose and --json). */
    samples: [],
  };
  for (const [index, migration] of migrations.entries()) {
    if (migration.code) {
      tally.replayStoppedAt = `${migration.path}: code migration (${migration.code.language}), cannot be replayed`;
      break;
    }
    const sampled = index % every === every - 1;
    const before = sampled ? await snapshot(target) : undefined;
    // As the tool applies it: in one transaction, unless the file says otherwise (goose NO TRANSACTION) or cannot be.
    const applied = runSql(target, migration.up.text, migration.transaction === false || usesOwnTransactions(migration.up.text));
    if (!applied.ok) {
      tally.replayStoppedAt = `${migration.path}: ${applied.error}`;
      break;
    }
    if (!sampled) continue;
    tally.sampled++;
    await judgeOurs(migration, target, before, tally);
    await judgeTheirs(migration, target, before, tally);
    if (verbose) process.stderr.write(`  ${corpus} ${index + 1}/${migrations.length}\n`);
  }
  await admin(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
  tally.seconds = Math.round((performance.now() - started) / 1000);
  return tally;
}

async function judgeOurs(migration, target, before, tally) {
  const report = await plan([migration.up.absolutePath], {
    database: { url: databaseUrl(target), state: 'applied' },
    shadow: { url: server.url, cacheDir },
  });
  const verdict = report.verdict;
  const changes = report.migrations.flatMap((m) => m.changes);
  const sample = { migration: migration.path, verdict };
  tally.samples.push(sample);
  const count = (bucket, why) => {
    tally.ours[bucket]++;
    Object.assign(sample, { ours: bucket, ...(why?.length ? { why } : {}) });
  };
  if (report.outcome === 'forward-fix-only' || !report.rollback) {
    return count('forwardFixOnly', changes.filter((c) => c.verdict === 'irreversible').map((c) => `${c.rule} ${c.object}`));
  }
  const outcome = await inCopy(target, report.rollback.sql, before);
  const incomplete = changes.filter((c) => c.verdict !== 'safe' && c.rollback.length === 0 && !c.undoneBy).map((c) => `${c.rule} ${c.object}: ${c.reason}`);
  if (outcome.exact) return count('exact');
  if (report.rollback.incomplete) return count('flaggedIncomplete', [...incomplete, outcome.problem]);
  const bucket = verdict === 'safe' ? 'safeNotExact' : 'notFlaggedNotExact';
  count(bucket, [outcome.problem]);
  tally.problems.push({ migration: migration.path, bucket, verdict, problem: outcome.problem });
}

async function judgeTheirs(migration, target, before, tally) {
  const down = migration.down?.text;
  const sample = tally.samples.at(-1);
  const count = (bucket) => {
    tally.theirs[bucket]++;
    if (sample) sample.theirs = bucket;
  };
  if (!down || !/\S/.test(down.replace(/--.*$/gm, ''))) return count('none');
  const outcome = await inCopy(target, down, before, migration.transaction === false || usesOwnTransactions(down));
  if (outcome.exact) {
    count('exact');
    if (sample && sample.ours !== 'forwardFixOnly') tally.theirs.exactWhereOursRuns++;
  } else if (outcome.failed) count('fails');
  else count('notExact');
}

/** Runs a script in a fresh copy of the target and compares the copy's schema with `before`. */
async function inCopy(target, sql, before, ownTransactions = true) {
  const copy = `${target}_copy`;
  await admin(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${copy} TEMPLATE ${target}`);
  try {
    const ran = runSql(copy, sql, ownTransactions);
    if (!ran.ok) return { exact: false, failed: true, problem: `script failed: ${ran.error}` };
    const differences = diffSnapshots(before, await snapshot(copy));
    if (differences.length === 0) return { exact: true };
    return { exact: false, failed: false, problem: formatDifferences(differences).split('\n').slice(0, 6).join(' | ') };
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
  }
}

// ─── PostgreSQL plumbing ───────────────────────────────────────────────────────────────────────────────

/** A file that manages its own transactions (or holds statements that cannot run in one) runs in autocommit. */
function usesOwnTransactions(sql) {
  return /\b(BEGIN|COMMIT|CONCURRENTLY|VACUUM)\b|\+goose\s+NO\s+TRANSACTION|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE/i.test(sql);
}

/** psql, as the migration tools' users and incident responders run SQL: one transaction unless the file has its own. */
function runSql(database, sql, ownTransactions) {
  const file = join(workDir, 'script.sql');
  writeFileSync(file, sql);
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...(ownTransactions ? [] : ['-1']), '-d', databaseUrl(database), '-f', file];
  const result = spawnSync('psql', args, { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
  if (result.status === 0) return { ok: true };
  return { ok: false, error: (result.stderr || result.error?.message || `psql exit ${result.status}`).trim().split('\n')[0] };
}

async function snapshot(database) {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    const state = await readSchemaSnapshot(client);
    return withoutSchema(state, BACKUP_SCHEMA);
  } finally {
    await client.end();
  }
}

/** The snapshot minus one schema's objects (its backups are meant to stay behind). */
function withoutSchema(state, schema) {
  const keep = (key) => !(key === schema || key.startsWith(`${schema}.`) || key.startsWith(`"${schema}".`));
  return Object.fromEntries(
    Object.entries(state).map(([kind, value]) =>
      value && typeof value === 'object' && !Array.isArray(value) ? [kind, Object.fromEntries(Object.entries(value).filter(([key]) => keep(key)))] : [kind, value],
    ),
  );
}

function databaseUrl(database) {
  return urlOfDatabase(server.url, database);
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// ─── Output ────────────────────────────────────────────────────────────────────────────────────────────

function printTable(all) {
  const pad = (value, width = 9) => String(value ?? '').padStart(width);
  console.log(`Round trip, every ${every}th migration, plan --state applied against the live database`);
  console.log('down=*: the project\'s downs that restore the schema, on the samples migcheck writes a script for (not fwd-fix)\n');
  console.log(`${'corpus'.padEnd(12)} ${pad('sampled')} │ ${pad('exact')} ${pad('safe≠')} ${pad('unflagged≠', 11)} ${pad('incompl.')} ${pad('fwd-fix')} │ ${pad('down=')} ${pad('down≠')} ${pad('down fail', 10)} ${pad('no down')} ${pad('down=*', 7)} │ ${pad('s')}`);
  for (const [corpus, t] of Object.entries(all)) {
    console.log(
      `${corpus.padEnd(12)} ${pad(t.sampled)} │ ${pad(t.ours.exact)} ${pad(t.ours.safeNotExact)} ${pad(t.ours.notFlaggedNotExact, 11)} ${pad(t.ours.flaggedIncomplete)} ${pad(t.ours.forwardFixOnly)} │ ${pad(t.theirs.exact)} ${pad(t.theirs.notExact)} ${pad(t.theirs.fails, 10)} ${pad(t.theirs.none)} ${pad(t.theirs.exactWhereOursRuns, 7)} │ ${pad(t.seconds)}`,
    );
  }
  for (const [corpus, t] of Object.entries(all)) {
    console.log(`\n${corpus}: ${t.migrations} migrations; replay ${t.replayStoppedAt ? `stopped at ${t.replayStoppedAt}` : 'complete'}`);
    for (const p of t.problems) console.log(`  ${p.bucket} (${p.verdict}) ${p.migration}: ${p.problem}`);
    if (verbose) {
      for (const sample of t.samples.filter((x) => x.ours !== 'exact')) {
        console.log(`  [${sample.ours} / down ${sample.theirs}] ${sample.migration}`);
        for (const why of sample.why ?? []) console.log(`      ${String(why).slice(0, 300)}`);
      }
    }
  }
}
