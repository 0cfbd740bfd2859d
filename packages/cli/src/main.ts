#!/usr/bin/env node
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

// A crash of any kind (an exception thrown outside the command's promise, an unhandled rejection, an 'error'
// event nobody listens to) ends the run with one line and exit 2, never Node's stack trace and exit 1, which
// would read as "a change reached --fail-on". Installed first, before anything that could fail; the full
// report (which knows the analyzer's own errors) takes over once the modules are loaded.
let report = (error: unknown): string =>
  `migcheck: internal error: ${(error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')}\n`;
let crashed = false;
const crash = (error: unknown) => {
  if (crashed) return; // a second fault while reporting the first: the first is the one to tell
  crashed = true;
  try {
    process.stderr.write(report(error));
  } finally {
    process.exit(2);
  }
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

// A CLI run is short: V8's baseline WASM compiler (Liftoff) parses Lemmy's 342 migrations in ~150 ms,
// while tiering up to the optimising compiler costs more than it saves (~270 ms on 2 cores). Set before
// the parser's WASM is compiled, which happens when the analyzer is first used.
setFlagsFromString('--liftoff-only');
// What a run keeps is small (verify of Lemmy: ~50 MiB live) but it allocates fast, and V8's default lets the heap
// grow to 3-4 times what the last full collection kept before the next one: verify peaked at 285 MiB. A heap that
// grows by half of it at most peaks at ~190 MiB, in the same time (bench/verify-corpus.mjs; README "Performance").
// Read at each collection, so it applies from here on.
setFlagsFromString('--heap-growing-percent=50');
capYoungGeneration();

/**
 * V8 doubles the young generation, up to 32 MiB, while much of it survives its collections: ~25 MiB of the peak of a
 * cold lint or a verify of Lemmy. Its largest size is fixed at start-up (--max-semi-space-size, a node option), but the
 * growth factor is read at each growth: the CLI lets it grow by 4, to 8 MiB, and then not again. Kept at 2 MiB, it
 * cost ~0.7 s more of Node's CPU in a cold lint of Lemmy (4.1 s without a cap); grown once, ~0.3 s.
 */
function capYoungGeneration(): void {
  const CAP = 8 * 1024 * 1024;
  const youngGenerationSize = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  setFlagsFromString('--semi-space-growth-factor=4');
  // Told after collections, once the event loop turns: a synchronous stretch could grow it again first, up to 32 MiB
  // (test/e2e/bundle.test.ts checks that a lint of Lemmy does not).
  const collections = new PerformanceObserver(() => {
    if (youngGenerationSize() < CAP) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    collections.disconnect();
  });
  collections.observe({ entryTypes: ['gc'] });
}

// One import: in the bundle (bundle.mjs) each import() is a chunk boundary, and program.js holds crash.js already.
const { run, crashReport } = await import('./program.js');
report = (error) => crashReport(error, process.env);
process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
});
