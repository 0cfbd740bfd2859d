#!/usr/bin/env node
/**
 * The Lemmy round trip (issue 3): `migcheck verify` over all 342 migrations of ../shared/corpora/lemmy, in
 * order. For each migration, in the shadow database in the state before it: apply up.sql, then migcheck's
 * rollback, and compare the schema; the same with Lemmy's own down.sql. Prints how many rollbacks restore
 * the schema exactly, how many do not (and why), how many are forward-fix-only, and the same for down.sql.
 *
 *   pnpm run build && node bench/lemmy-roundtrip.mjs [--shadow-url postgres://…] [--json out.json]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { verify } = await import(join(root, 'packages/analyzer/dist/index.js'));
const lemmy = resolve(root, '../shared/corpora/lemmy');
if (!existsSync(lemmy)) throw new Error(`the corpus is missing: ${lemmy}`);
const argument = (name) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};

const started = performance.now();
let lastProgress = 0;
const report = await verify([lemmy], {
  shadow: {
    ...(argument('--shadow-url') ? { url: argument('--shadow-url') } : {}),
    onProgress: (message) => {
      if (performance.now() - lastProgress > 5000) {
        lastProgress = performance.now();
        process.stderr.write(`  ${message}\n`);
      }
    },
  },
});
const seconds = (performance.now() - started) / 1000;

const tally = () => ({ restored: 0, notRestored: 0, failed: 0, forwardFixOnly: 0, reasons: new Map() });
const ours = tally();
const theirs = tally();
const reason = (map, text) => map.set(text, (map.get(text) ?? 0) + 1);
/** A difference's first line ("~ view public.v: definition"); the rest are the before/after texts. */
const isDifference = (line) => /^[~+-] \S/.test(line);
/** The kind of a difference line ("~ column public.x.y: type a → b" → "~ column: type"). */
const shape = (line) => line.replace(/^([~+-]) (\S+) [^:]+(?:: (\w+))?.*$/, (_, sign, type, property) => `${sign} ${type}${property ? `: ${property}` : ''}`);

for (const migration of report.migrations) {
  const rehearsal = migration.rehearsal;
  if (migration.verdict === 'irreversible') ours.forwardFixOnly++;
  if (!rehearsal || rehearsal.failure?.startsWith('history')) {
    ours.failed++;
    reason(ours.reasons, `not rehearsed: ${rehearsal?.failure?.slice(0, 120) ?? 'no rehearsal'}`);
  } else if (migration.verdict !== 'irreversible') {
    if (rehearsal.restored) ours.restored++;
    else {
      ours.notRestored++;
      if (rehearsal.failure) reason(ours.reasons, `rollback statement failed: ${rehearsal.failure.replace(/^rollback: .*?: /, '').slice(0, 100)}`);
      for (const line of new Set(rehearsal.differences.filter(isDifference).map(shape))) reason(ours.reasons, `differs: ${line}`);
    }
  }
  const down = rehearsal?.down;
  if (!down) continue;
  if (down.failure) {
    theirs.failed++;
    reason(theirs.reasons, `down.sql failed: ${down.failure.replace(/^\w+: \S+: /, '').slice(0, 100)}`);
  } else if (down.restored) theirs.restored++;
  else {
    theirs.notRestored++;
    for (const line of new Set(down.differences.filter(isDifference).map(shape))) reason(theirs.reasons, `differs: ${line}`);
  }
  if (down.destroys.length > 0) theirs.forwardFixOnly++; // down.sql destroys data (drops what up added)
}

const total = report.migrations.length;
console.log(`Lemmy round trip: ${total} migrations, ${seconds.toFixed(0)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
console.log('                                   migcheck rollback   Lemmy down.sql');
console.log(`restores the schema exactly        ${String(ours.restored).padStart(17)}   ${String(theirs.restored).padStart(14)}`);
console.log(`does not restore it                ${String(ours.notRestored).padStart(17)}   ${String(theirs.notRestored).padStart(14)}`);
console.log(`fails to run / not rehearsed       ${String(ours.failed).padStart(17)}   ${String(theirs.failed).padStart(14)}`);
console.log(`forward-fix-only (ours) / destroys data (down.sql) ${String(ours.forwardFixOnly).padStart(2)}   ${String(theirs.forwardFixOnly).padStart(14)}`);
for (const [title, counts] of [['migcheck', ours], ['down.sql', theirs]]) {
  console.log(`\nwhy ${title} does not restore (migrations per reason):`);
  for (const [text, count] of [...counts.reasons].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(count).padStart(4)}  ${text}`);
}
const out = argument('--json');
if (out) writeFileSync(out, JSON.stringify(report, null, 2));
