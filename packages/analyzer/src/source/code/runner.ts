/**
 * The capture runner: a child process that loads knex, node-pg-migrate, TypeORM or Sequelize migrations (the user's
 * code; node-pg-migrate's through its own MigrationBuilder, pgm-recorder.ts; TypeORM's against a recording query
 * runner, typeorm-recorder.ts; Sequelize's through its own QueryInterface, sequelize-recorder.ts) and runs each `up` and, on a
 * fresh knex instance, each `down` against a PostgreSQL knex client that records every query and executes
 * nothing. It never opens a socket: the recording client has no pool and no driver; reads get empty answers and
 * are reported as gaps. migcheck starts it with a time limit and kills it on timeout (capture.ts).
 *
 *   node runner.js <request.json>     → JSON lines appended to the request's result file (protocol.ts)
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { capturePgmDirection, loadMigrationBuilder, type Shorthands } from './pgm-recorder.js';
import type { CapturedQuery, Direction, KnexSettings, RunnerEvent, RunnerRequest } from './protocol.js';
import { captureSequelizeDirection, loadSequelize, type SequelizeClass } from './sequelize-recorder.js';
import { captureTypeormDirection } from './typeorm-recorder.js';
import { current, describe, ExitAttempt, gap, lineIn, setCurrent, shorten, type Recording } from './recording.js';

const require = createRequire(import.meta.url);
/** Kept before the user's code can replace it (main() does, to turn an exit into a gap). */
const exitProcess = process.exit.bind(process);

/** The parts of knex's compiled query object the recorder reads. */
interface QueryObject {
  sql?: string;
  bindings?: unknown[];
  method?: string;
  output?: unknown;
  returning?: unknown;
  response?: unknown;
  [ORIGIN]?: Error;
}

interface KnexRunner {
  query(obj: QueryObject): Promise<unknown>;
}

interface KnexBuilder {
  _asyncStack?: { error: Error };
}

interface PgClient {
  runner(builder: KnexBuilder): KnexRunner;
}

type PgClientClass = new (config: Record<string, unknown>) => PgClient;
type KnexFactory = (config: Record<string, unknown>) => { destroy(): Promise<void> };
type FormatQuery = (sql: string, bindings: unknown[] | undefined, timeZone: undefined, client: unknown) => string;

const ORIGIN = Symbol('migcheck.origin');
/** knex's transaction control: the tool runs the migration in a transaction anyway. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release\s+savepoint)\b/i;
/** Query-builder methods whose answer is rows: what they read is not known here. */
const READ_METHODS = new Set(['select', 'first', 'pluck', 'columnInfo']);
/** Environment variables that Node and knex read on their own. */
const OWN_ENV = new Set(['DEBUG', 'DEBUG_COLORS', 'DEBUG_DEPTH', 'DEBUG_HIDE_DATE', 'DEBUG_FD', 'NODE_DEBUG', 'TERM', 'NO_COLOR', 'FORCE_COLOR']);

function commandOf(method: string | undefined, sql: string): string {
  if (method && READ_METHODS.has(method)) return 'SELECT';
  if (method === 'del' || method === 'delete') return 'DELETE';
  if (method === 'insert' || method === 'update' || method === 'truncate') return method.toUpperCase();
  return (/^\s*(\w+)/.exec(sql)?.[1] ?? '').toUpperCase();
}

function recordingClientClass(): PgClientClass {
  const ClientPG = require('knex/lib/dialects/postgres/index.js') as PgClientClass;
  const { formatQuery } = require('knex/lib/execution/internal/query-executioner.js') as { formatQuery: FormatQuery };

  return class RecordingClient extends ClientPG {
    constructor(config: Record<string, unknown>) {
      // No connection and no pool: knex creates neither a driver nor a socket.
      const { connection: _connection, pool: _pool, ...rest } = config;
      super({ ...rest, client: 'pg' });
    }

    acquireConnection(): Promise<object> {
      return Promise.resolve({ __knexUid: 'migcheck-recorder' });
    }

    releaseConnection(): Promise<void> {
      return Promise.resolve();
    }

    /** Bindings stay `?`: the recorder writes them as literals with knex's own escaping. */
    positionBindings(sql: string): string {
      return sql;
    }

    override runner(builder: KnexBuilder): KnexRunner {
      const runner = super.runner(builder);
      const query = runner.query.bind(runner);
      runner.query = (obj: QueryObject) => {
        if (obj && typeof obj === 'object' && builder._asyncStack) obj[ORIGIN] = builder._asyncStack.error;
        return query(obj);
      };
      return runner;
    }

    _query(_connection: unknown, obj: QueryObject): Promise<QueryObject> {
      const sql = obj.sql ?? '';
      const literal = formatQuery(sql, obj.bindings, undefined, this).trim();
      const recording = current();
      const read = (obj.method !== undefined && READ_METHODS.has(obj.method)) || obj.output !== undefined;
      if (recording && literal !== '' && !TRANSACTION_CONTROL.test(literal)) {
        if (read) {
          recording.gaps.add(`reads the database (\`${shorten(literal)}\`) and was answered with no rows`);
        } else {
          const line = lineIn(obj[ORIGIN], recording.file);
          recording.queries.push(line !== undefined ? { sql: literal, line } : { sql: literal });
          if (obj.returning !== undefined) recording.gaps.add(`uses what \`${shorten(literal)}\` returns, and was answered with no rows`);
        }
      }
      obj.response = emptyResponse(commandOf(obj.method, sql), obj.method === 'raw' ? literal : undefined, recording);
      return Promise.resolve(obj);
    }
  };
}

/** An answer with no rows; for a raw query, reading its rows is a gap (the code uses an answer it did not get). */
function emptyResponse(command: string, raw: string | undefined, recording: Recording | undefined): object {
  const rows: unknown[] = [];
  const response = { command, rowCount: 0, fields: [] as unknown[] };
  return Object.defineProperty(response, 'rows', {
    enumerable: true,
    get() {
      if (raw !== undefined && recording) recording.gaps.add(`uses the rows of \`${shorten(raw)}\`, and was answered with none`);
      return rows;
    },
  });
}

function emit(resultFile: string, event: RunnerEvent): void {
  appendFileSync(resultFile, `${JSON.stringify(event)}\n`);
}

let jiti: { import(id: string): Promise<unknown> } | undefined;

/** A migration or knexfile module: native import for JavaScript, jiti for TypeScript (only then loaded). */
async function load(file: string): Promise<Record<string, unknown>> {
  if (/\.(ts|mts|cts)$/.test(file)) {
    if (!jiti) {
      const { createJiti } = await import('jiti');
      jiti = createJiti(import.meta.url, { interopDefault: false, moduleCache: true, fsCache: false });
    }
    return (await jiti.import(file)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

function exported(module: Record<string, unknown>, name: string): unknown {
  const own = module[name];
  if (own !== undefined) return own;
  const fallback = module.default;
  return fallback && typeof fallback === 'object' ? (fallback as Record<string, unknown>)[name] : undefined;
}

/** Whether the reader of process.env is Node itself (child_process copies it for a child), not the user's code. */
function calledByNode(): boolean {
  const caller = new Error().stack?.split('\n')[3] ?? '';
  return /\(node:|at node:/.test(caller);
}

/** What the code reads of the environment while it runs: a branch on it may send other SQL elsewhere. */
function watchEnvironment(): void {
  const environment = process.env;
  process.env = new Proxy(environment, {
    get(target, key, receiver) {
      if (current() && typeof key === 'string' && !OWN_ENV.has(key) && !calledByNode()) gap(`reads the environment variable ${key}: another environment may send other statements`);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

async function captureDirection(
  Client: PgClientClass,
  knex: KnexFactory,
  file: string,
  run: unknown,
  searchPath: string[] | undefined,
): Promise<{ queries: CapturedQuery[]; gaps: string[] }> {
  const recording: Recording = { file, queries: [], gaps: new Set() };
  const instance = knex({ client: Client, asyncStackTraces: true, ...(searchPath ? { searchPath } : {}) });
  setCurrent(recording);
  try {
    await (run as (knex: unknown) => unknown)(instance);
  } catch (error) {
    recording.gaps.add(error instanceof ExitAttempt ? error.message : `threw before it finished: ${describe(error)}`);
  } finally {
    // Let callbacks scheduled by the function (timers, unawaited queries) record before the result is written.
    await new Promise((resolve) => setImmediate(resolve));
    setCurrent(undefined);
    await instance.destroy().catch(() => {});
  }
  return { queries: recording.queries, gaps: [...recording.gaps] };
}

async function captureAll(request: Extract<RunnerRequest, { mode: 'capture' }>): Promise<void> {
  const Builder = request.tool === 'node-pg-migrate' ? await loadMigrationBuilder() : undefined;
  let Sequelize: SequelizeClass | undefined;
  let withoutSequelize: string | undefined;
  if (request.tool === 'sequelize' && request.files.length > 0) {
    try {
      Sequelize = loadSequelize(request.files[0]!);
    } catch (error) {
      withoutSequelize = describe(error);
    }
  }
  const isKnex = request.tool === 'knex';
  const Client = isKnex ? recordingClientClass() : undefined;
  const knex = isKnex ? (require('knex') as KnexFactory) : undefined;
  const shorthands: Shorthands = {};
  for (const [index, file] of request.files.entries()) {
    emit(request.resultFile, { event: 'begin', index });
    if (withoutSequelize) {
      emit(request.resultFile, { event: 'load-failed', index, message: withoutSequelize });
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = await load(file);
    } catch (error) {
      emit(request.resultFile, { event: 'load-failed', index, message: error instanceof ExitAttempt ? error.message : describe(error) });
      continue;
    }
    const own = exported(module, 'shorthands');
    if (own && typeof own === 'object') Object.assign(shorthands, own);
    for (const direction of ['up', 'down'] as Direction[]) {
      if (Builder) {
        emit(request.resultFile, { event: 'captured', index, direction, ...(await capturePgmDirection(Builder, file, module, direction, shorthands)) });
        continue;
      }
      if (request.tool === 'typeorm' || Sequelize) {
        const result = Sequelize ? await captureSequelizeDirection(Sequelize, file, module, direction) : await captureTypeormDirection(file, module, direction);
        emit(request.resultFile, { event: 'captured', index, direction, ...result });
        continue;
      }
      const run = exported(module, direction);
      if (typeof run !== 'function') {
        emit(request.resultFile, { event: 'captured', index, direction, exported: false, queries: [], gaps: [] });
        continue;
      }
      const { queries, gaps } = await captureDirection(Client!, knex!, file, run, request.searchPath);
      emit(request.resultFile, { event: 'captured', index, direction, exported: true, queries, gaps });
    }
  }
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/** The settings of a knexfile: its export (or what its function returns), for NODE_ENV's environment if it has several. */
async function readKnexfile(file: string): Promise<KnexSettings> {
  const module = await load(file);
  let config: unknown = module.default ?? module;
  if (typeof config === 'function') config = await (config as () => unknown)();
  if (config && typeof config === 'object' && !('client' in config) && !('migrations' in config) && !('connection' in config)) {
    config = (config as Record<string, unknown>)[process.env.NODE_ENV || 'development'];
  }
  const settings: KnexSettings = {};
  if (!config || typeof config !== 'object') return settings;
  const { client, migrations, searchPath } = config as Record<string, unknown>;
  if (typeof client === 'string') settings.client = client;
  const path = strings(searchPath);
  if (path) settings.searchPath = path;
  if (migrations && typeof migrations === 'object') {
    const { directory, loadExtensions, schemaName, tableName } = migrations as Record<string, unknown>;
    const directories = strings(directory);
    if (directories) settings.directories = directories;
    const extensions = strings(loadExtensions);
    if (extensions) settings.loadExtensions = extensions;
    if (typeof schemaName === 'string') settings.schemaName = schemaName;
    if (typeof tableName === 'string') settings.tableName = tableName;
  }
  return settings;
}

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RunnerRequest;
  // The user's code may try to end the process: it ends only its own migration's capture.
  process.exit = ((code?: unknown) => {
    throw new ExitAttempt(code);
  }) as typeof process.exit;
  process.on('uncaughtException', (error) => gap(`threw outside its promise: ${describe(error)}`));
  process.on('unhandledRejection', (error) => gap(`left a promise rejected: ${describe(error)}`));
  if (request.mode === 'knexfile') {
    try {
      emit(request.resultFile, { event: 'settings', settings: await readKnexfile(request.knexfile) });
    } catch (error) {
      emit(request.resultFile, { event: 'settings-failed', message: describe(error) });
    }
    return;
  }
  watchEnvironment();
  await captureAll(request);
}

await main();
// Timers or sockets the user's code left behind must not keep the capture waiting for its time limit.
exitProcess(0);
