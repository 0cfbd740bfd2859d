#!/usr/bin/env node
/**
 * What a schema reading costs during a replay: the incremental reader (what the shadow uses) against a whole catalog
 * read, at every step of a corpus's history, on the embedded PostgreSQL. Also checks that both readings are equal.
 *
 *   pnpm run build && node bench/catalog-reads.mjs [corpus directory …] [--within 10]
 *
 * After every migration, and (--within N) before every statement of every N-th migration, inside a transaction
 * rolled back after (as the shadow reads the schema within a migration): one incremental reading, then one whole
 * reading, each timed. Prints per corpus: readings, mean ms of each kind, how many incremental readings were
 * scoped, the objects they read again, and mismatches (must be 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = new URL('../packages/analyzer/dist/', import.meta.url);
const { discoverMigrations } = await import(new URL('source/discover.js', dist).href);
const { openShadow } = await import(new URL('shadow/index.js', dist).href);
const { readSchemaSnapshot } = await import(new URL('catalog/index.js', dist).href);
const { CatalogReaders } = await import(new URL('shadow/catalog-reader.js', dist).href);
const { applySql, runsInCallersTransaction } = await import(new URL('shadow/apply.js', dist).href);
const { loadParser } = await import(new URL('source/parse.js', dist).href);

const corporaRoot = fileURLToPath(new URL('../../shared/corpora/', import.meta.url));
const withinArg = process.argv.indexOf('--within');
const withinEvery = withinArg > 0 ? Number(process.argv[withinArg + 1]) : 10;
const named = process.argv.slice(2).filter((arg, index, all) => !arg.startsWith('--') && all[index - 1] !== '--within');
const corpora = named.length > 0 ? named.map((path) => resolve(path)) : ['lemmy', 'openmeter', 'documenso/migrations', 'vaultwarden', 'hatchet'].map((name) => join(corporaRoot, name));

await loadParser();
const rows = [];
for (const corpus of corpora) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-bench-reads-'));
  const migrations = discoverMigrations([corpus]);
  const shadow = await openShadow({ cacheDir });
  const database = await shadow.databaseBefore(migrations[0]);
  const { client } = database;
  const reader = new CatalogReaders().readerOf(client); // as the shadow reads: incremental, on prepared statements
  let incrementalMs = 0;
  let wholeMs = 0;
  let readings = 0;
  let mismatches = 0;
  let applied = 0;
  const compare = async () => {
    let started = performance.now();
    const incremental = await reader.read();
    incrementalMs += performance.now() - started;
    started = performance.now();
    const whole = await readSchemaSnapshot(client);
    wholeMs += performance.now() - started;
    readings++;
    if (JSON.stringify(incremental) !== JSON.stringify(whole)) mismatches++;
  };
  await compare();
  for (const [index, migration] of migrations.entries()) {
    if (migration.code) break; // a Go step: the replay stops there
    if (withinEvery > 0 && index % withinEvery === 0 && (await runsInCallersTransaction(migration.up))) {
      await client.query('BEGIN');
      await applySql(client, migration.up, { transaction: false, beforeStatement: compare });
      await client.query('ROLLBACK');
      await compare();
    }
    if (await applySql(client, migration.up, { transaction: migration.transaction !== false })) break;
    applied++;
    await compare();
  }
  await database.release();
  await shadow.close();
  await rm(cacheDir, { recursive: true, force: true });
  rows.push({
    corpus: corpus.replace(corporaRoot, ''),
    migrations: `${applied}/${migrations.length}`,
    readings,
    'incremental ms': +(incrementalMs / readings).toFixed(1),
    'whole ms': +(wholeMs / readings).toFixed(1),
    scoped: reader.statistics.scopedReads,
    'objects per scoped read': +(reader.statistics.objectsReread / Math.max(1, reader.statistics.scopedReads)).toFixed(1),
    mismatches,
  });
}
console.log(`catalog readings along each history (node ${process.version}), within every ${withinEvery}th migration`);
console.table(rows);
