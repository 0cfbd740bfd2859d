/** One cold process: how long each phase of `migcheck lint <dir>` takes (used by lint-vs-squawk.mjs). */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only'); // as the CLI does (packages/cli/src/main.ts)
const started = performance.now();
let last = started;
const rows = [];
const lap = (label) => {
  const now = performance.now();
  rows.push([label, now - last]);
  last = now;
};
const analyzer = await import('../packages/analyzer/dist/index.js');
const { loadParser } = await import('../packages/analyzer/dist/source/parse.js');
const { analyzeMigrations } = await import('../packages/analyzer/dist/plan/analyze.js');
const { buildReport } = await import('../packages/analyzer/dist/report/build.js');
lap('load modules');
await loadParser();
lap('load the WASM parser');
const migrations = analyzer.discoverMigrations([process.argv[2]]);
lap(`read ${migrations.length} migrations`);
const analyzed = await analyzeMigrations(migrations);
lap(`parse + classify ${analyzed.reduce((n, m) => n + m.statements, 0)} statements`);
const report = buildReport('lint', analyzed);
lap('build report + rollback script');
analyzer.formatReport(report, 'json');
lap('format JSON');
for (const [label, ms] of rows) console.log(`  ${label.padEnd(40)} ${ms.toFixed(0).padStart(5)} ms`);
console.log(`  ${'total (after node started)'.padEnd(40)} ${(performance.now() - started).toFixed(0).padStart(5)} ms`);
