/**
 * The real PostgreSQL parser and scanner (libpg-query: the Postgres 18 grammar compiled to WASM), loaded on first
 * need. Every runtime use of libpg-query goes through here; other modules import only its types.
 *
 * Why not a static import: importing libpg-query starts reading and compiling its 1.7 MB of WASM at once, and the
 * first parse compiles the grammar's functions. That costs a process 50–150 ms, and a lint whose results all come
 * from the result cache, with no rollback script to print, parses nothing (measured in the README's figures).
 * The parser's functions are synchronous: a path that parses awaits `loadParser()` first, as it had to await
 * libpg-query's own `loadModule()`.
 */
import type * as LibPgQuery from 'libpg-query';

let library: typeof LibPgQuery | undefined;
let importing: Promise<typeof LibPgQuery> | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser once per process; later calls return the same promise. */
export function loadParser(): Promise<void> {
  importing ??= import('libpg-query');
  loading ??= importing.then(async (loaded) => {
    await loaded.loadModule();
    library = loaded;
  });
  return loading;
}

/**
 * Starts loading the parser, for work that will probably parse: resolves once libpg-query is imported, which starts
 * compiling its WASM off the main thread, so that the compilation overlaps the caller's next synchronous work
 * (reading and hashing files). `loadParser()` must still be awaited before parsing.
 */
export async function startLoadingParser(): Promise<void> {
  loadParser().catch(() => {}); // the caller's loadParser() reports a failure
  await importing;
}

/** Whether the parser was loaded in this process (tests of the paths that need none). */
export function parserLoaded(): boolean {
  return library !== undefined;
}

function loadedLibrary(): typeof LibPgQuery {
  if (!library) throw new Error('the SQL parser is not loaded: loadParser() must be awaited before parsing');
  return library;
}

/** The statements of `sql` as Postgres parses them; throws an error with SQL details (`hasSqlDetails`) on a syntax error. */
export function parseSync(sql: string): LibPgQuery.ParseResult {
  return loadedLibrary().parseSync(sql);
}

/** The tokens of `sql` as Postgres' scanner reads them, with each keyword's category. */
export function scanSync(sql: string): LibPgQuery.ScanResult {
  return loadedLibrary().scanSync(sql);
}

/** Whether `error` is the parser's verdict on the SQL (with its position), rather than a failure of the parser itself. */
export function hasSqlDetails(error: unknown): error is LibPgQuery.SqlError {
  // Before the parser is loaded, no error can be one of its verdicts.
  return library !== undefined && library.hasSqlDetails(error);
}
