#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A CLI run is short: V8's baseline WASM compiler (Liftoff) parses Lemmy's 342 migrations in ~150 ms,
// while tiering up to the optimising compiler costs more than it saves (~270 ms on 2 cores). Set before
// the parser's WASM is compiled, which happens when the analyzer is first used.
setFlagsFromString('--liftoff-only');

const { run } = await import('./program.js');
process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
});
