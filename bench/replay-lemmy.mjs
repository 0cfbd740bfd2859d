/**
 * Shadow replay of the whole Lemmy history (../shared/corpora/lemmy, 342 diesel migrations) on the embedded
 * PostgreSQL: the prior snapshot of every migration, cold (empty cache) and warm (from the cache).
 *
 *   pnpm run build && node bench/replay-lemmy.mjs [corpus directory]
 *
 * Prints: cold time (server start + one replay of the directory + a snapshot before each migration), time per
 * snapshot, migrations that fail to apply (with the first error), the cost of one catalog read of the final
 * schema, the warm time in a fresh process (cache only: no server may start), cache size, and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = new URL('../packages/analyzer/dist/', import.meta.url);
const { discoverMigrations } = await import(new URL('source/discover.js', dist).href);
const { openShadow } = await import(new URL('shadow/index.js', dist).href);
const { serverActivity } = await import(new URL('shadow/server.js', dist).href);
const { readSchemaSnapshot } = await import(new URL('catalog/index.js', dist).href);

const corpus = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : fileURLToPath(new URL('../../shared/corpora/lemmy', import.meta.url));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (kilobytes) => `${(kilobytes / 1024).toFixed(0)} MB`;

// ─── Warm phase: run in a child process of its own (its own peak RSS), as a warm `migcheck lint` would ───

if (process.argv.includes('--warm')) {
  const cacheDir = process.argv[process.argv.indexOf('--warm') + 1];
  const started = performance.now();
  const migrations = discoverMigrations([corpus]);
  const shadow = await openShadow({ cacheDir });
  const results = await shadow.priorSnapshots(migrations);
  const elapsed = performance.now() - started;
  await shadow.close();
  process.stdout.write(
    JSON.stringify({
      elapsed,
      migrations: migrations.length,
      cached: results.filter((result) => result.cached === true).length,
      failures: results.filter((result) => 'failure' in result).length,
      serversStarted: serverActivity.embeddedStarts,
      databasesCreated: serverActivity.databasesCreated,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

// ─── Cold phase ─────────────────────────────────────────────────────────────────────────────────────────

const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-bench-cache-'));
try {
  const migrations = discoverMigrations([corpus]);
  console.log(`corpus: ${corpus} (${migrations.length} migrations, layout ${migrations[0]?.layout})`);

  const marks = [];
  const started = performance.now();
  const shadow = await openShadow({
    cacheDir,
    onProgress: (message) => {
      marks.push([performance.now() - started, message]);
      process.stderr.write(`  ${message}\n`);
    },
  });
  const results = await shadow.priorSnapshots(migrations);
  const coldElapsed = performance.now() - started;
  const coldRssKb = process.resourceUsage().maxRSS;

  const snapshots = results.filter((result) => 'snapshot' in result).length;
  const failed = results.filter((result) => 'failure' in result);
  const failingMigrations = new Set(failed.map((result) => result.migration.id));

  // A rehearsal database in the final state: the replay cursor is there already, so this is one copy.
  const copying = performance.now();
  const final = await shadow.databaseBefore(migrations.at(-1));
  const copyMs = performance.now() - copying;
  // One catalog read of the full schema, to split the time between applying SQL and reading the catalog.
  let catalogReadMs;
  if ('client' in final) {
    const rounds = 5;
    const before = performance.now();
    for (let i = 0; i < rounds; i++) await readSchemaSnapshot(final.client);
    catalogReadMs = (performance.now() - before) / rounds;
    await final.release();
  }
  const closing = performance.now();
  await shadow.close();
  const closeMs = performance.now() - closing;

  // The same replay without snapshots (a fresh shadow and server): what applying the SQL costs.
  const replayOnlyStarted = performance.now();
  const replayOnly = await openShadow({ cacheDir });
  const lastState = await replayOnly.databaseBefore(migrations.at(-1));
  const replayOnlyMs = performance.now() - replayOnlyStarted;
  if ('release' in lastState) await lastState.release();
  await replayOnly.close();

  const files = (await readdir(join(cacheDir, 'snapshots'))).filter((file) => file.endsWith('.jsonl'));
  let cacheBytes = 0;
  for (const file of files) cacheBytes += (await stat(join(cacheDir, 'snapshots', file))).size;
  const lastSnapshotBytes = Buffer.byteLength(JSON.stringify(results.at(-1)?.snapshot ?? {}));

  // ─── Warm phase, in a fresh process ───
  const warmRun = spawnSync(process.execPath, [fileURLToPath(import.meta.url), corpus, '--warm', cacheDir], { encoding: 'utf8' });
  if (warmRun.status !== 0) throw new Error(`warm run failed: ${warmRun.stderr}`);
  const warm = JSON.parse(warmRun.stdout);

  const serverStart = marks.find(([, message]) => message.startsWith('starting'));
  const firstReplay = marks.find(([, message]) => message.startsWith('replaying'));
  console.log(`
cold (empty cache, embedded server started)
  total                         ${seconds(coldElapsed)}  (first replay progress at ${seconds(firstReplay?.[0] ?? NaN)}; server start announced at ${seconds(serverStart?.[0] ?? NaN)})
  snapshots                     ${snapshots} of ${migrations.length}
  time per snapshot             ${(coldElapsed / migrations.length).toFixed(0)} ms (total / migrations, start included)
  catalog read, final schema    ${catalogReadMs?.toFixed(0)} ms (mean of 5)
  replay only, no snapshots     ${seconds(replayOnlyMs)} (fresh server start included: the rest of the cold total is catalog reads)
  rehearsal database copy       ${copyMs.toFixed(0)} ms (databaseBefore of the final state, from the cursor as template)
  migrations failing to apply   ${failingMigrations.size}${failed.length ? ` (→ ${failed.length} targets without a snapshot)` : ''}
${failed.length ? `  first error                   ${failed[0].migration.id}: ${failed[0].failure.path}:${failed[0].failure.line}:${failed[0].failure.column}: ${failed[0].failure.message}${failed[0].failure.code ? ` [${failed[0].failure.code}]` : ''}\n` : ''}  close (stop server, rm data)  ${closeMs.toFixed(0)} ms
  peak RSS                      ${megabytes(coldRssKb)} (all ${snapshots} snapshots held in memory, as priorSnapshots returns them)

cache
  files                         ${files.length} in ${join(cacheDir, 'snapshots')}
  size                          ${(cacheBytes / 1024 / 1024).toFixed(1)} MB (last snapshot ${(lastSnapshotBytes / 1024).toFixed(0)} kB as JSON)

warm (fresh process, same cache)
  total                         ${seconds(warm.elapsed)}  (discover + read ${warm.cached}/${warm.migrations} cached snapshots)
  servers started               ${warm.serversStarted}, databases created ${warm.databasesCreated}
  peak RSS                      ${megabytes(warm.maxRssKb)}
`);
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
