#!/usr/bin/env node
/**
 * Where the shadow server's time goes in one cold `migcheck lint` of a history: the CLI runs against an embedded
 * PostgreSQL that logs every statement's duration (log_min_duration_statement = 0), and the durations are summed
 * by what the statement is.
 *
 *   pnpm run build && node bench/server-time.mjs                     # Lemmy
 *   node bench/server-time.mjs ../shared/corpora/openmeter --top 30
 *
 * Groups: the catalog reader's queries (by their first words; the extended protocol's parse, bind and execute
 * apart), the migrations' own statements, and the shadow's bookkeeping. The wall time of the run is printed too:
 * logging costs a little, so it is a few percent above a run without it. The process's own CPU time is not the
 * server's: `/usr/bin/time` on the CLI gives both together.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startBenchServer } from './server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/bin/migcheck.js');
const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 20;
const history = resolve(args[0] ?? join(root, '../shared/corpora/lemmy'));

// The log arrives in pieces: whole lines are parsed as they complete.
const entries = [];
let pending = '';
const onLog = (text) => {
  pending += text.endsWith('\n') ? text : `${text}\n`;
  // An entry starts with "<pid> LOG:" (log_line_prefix below); its statement may span lines.
  const parts = pending.split(/\n(?=\d+ [A-Z]+: {2})/);
  pending = parts.pop();
  entries.push(...parts);
};

const server = await startBenchServer({ label: 'server-time', settings: ['log_min_duration_statement=0', 'log_line_prefix=%p '], onLog });
const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-server-time-'));
const started = performance.now();
try {
  await promisify(execFile)(process.execPath, [cli, 'lint', history, '--shadow-url', server.url, '--format', 'json', '-q'], {
    env: { ...process.env, MIGCHECK_CACHE_DIR: cacheDir },
    maxBuffer: 1 << 30,
  }).catch((error) => {
    if (error.code !== 1) throw error; // 1: a verdict (risky or irreversible changes), not a failure
  });
} finally {
  await rm(cacheDir, { recursive: true, force: true });
  await server.stop();
}
const wall = performance.now() - started;
entries.push(pending);

const groups = new Map();
let total = 0;
for (const entry of entries) {
  const match = /^\d+ LOG: {2}duration: ([\d.]+) ms {2}(statement|parse|bind|execute)[^:]*: ([\s\S]*)$/.exec(entry);
  if (!match) continue;
  const [, ms, phase, statement] = match;
  const key = groupOf(phase, statement.replace(/\s+/g, ' ').trim());
  const group = groups.get(key) ?? { count: 0, ms: 0 };
  group.count++;
  group.ms += Number(ms);
  groups.set(key, group);
  total += Number(ms);
}

console.log(`history: ${history}`);
console.log(`wall time of the lint (logging on): ${(wall / 1000).toFixed(2)} s; server time in statements: ${(total / 1000).toFixed(2)} s`);
console.log('');
console.log('    ms   share  count  what');
for (const [key, { count, ms }] of [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
  console.log(`${ms.toFixed(0).padStart(6)}  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${String(count).padStart(5)}  ${key}`);
}

/** What a logged statement is, in a few words: simple-protocol statements are the migrations' or bookkeeping. */
function groupOf(phase, statement) {
  if (phase !== 'statement') return `reader ${phase}: ${statement.slice(0, 70)}`;
  // A migration's batch starts with the BEGIN of its transaction (shadow/apply.ts): a BEGIN with more is the migration's.
  if (/^BEGIN;\s*\S/i.test(statement)) return 'migrations (their own statements)';
  if (/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|RESET|DISCARD)\b/i.test(statement)) return `bookkeeping: ${statement.split(' ')[0].toUpperCase()}`;
  if (/^(CREATE|DROP) DATABASE\b/i.test(statement)) return 'bookkeeping: CREATE/DROP DATABASE';
  // migcheck's own simple-protocol queries name the catalog by schema; a migration's rarely starts like that.
  if (/^SELECT\b/i.test(statement) && statement.includes('pg_catalog.')) return `bookkeeping: ${statement.slice(0, 60)}`;
  return 'migrations (their own statements)';
}
