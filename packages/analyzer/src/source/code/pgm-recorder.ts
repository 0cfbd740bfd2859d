/**
 * node-pg-migrate's recorder: each direction runs against the tool's own MigrationBuilder, which accumulates the
 * SQL it would send (getSqlSteps) and sends nothing; its `db` answers reads with no rows and reports them as gaps.
 * A module without `down` gets the down node-pg-migrate infers: `up` run on a builder in reverse mode.
 */
import { createRequire } from 'node:module';
import type { CapturedQuery, Direction } from './protocol.js';
import { describe, ExitAttempt, lineIn, setCurrent, shorten, type Recording } from './recording.js';

/** Column type shorthands (`exports.shorthands`), merged over the folder's migrations in order, as the tool does. */
export type Shorthands = Record<string, unknown>;

interface Builder {
  enableReverseMode(): Builder;
  getSqlSteps(): string[];
  [operation: string]: unknown;
}

type BuilderClass = new (db: object, shorthands: Shorthands | undefined, decamelize: boolean, logger: object) => Builder;

/** Builder members that are not operations adding SQL. */
const NOT_OPERATIONS = new Set(['db', 'func', 'enableReverseMode', 'noTransaction', 'isUsingTransaction', 'getSql', 'getSqlSteps']);

export async function loadMigrationBuilder(): Promise<BuilderClass> {
  // Resolved from migcheck's own dependencies, not the user's project.
  const path = createRequire(import.meta.url).resolve('node-pg-migrate');
  const module = (await import(new URL(`file://${path}`).href)) as { MigrationBuilder: BuilderClass };
  return module.MigrationBuilder;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface PgmDirectionResult {
  exported: boolean;
  queries: CapturedQuery[];
  gaps: string[];
  inferred?: boolean;
  refused?: string;
}

export async function capturePgmDirection(Builder: BuilderClass, file: string, module: Record<string, unknown>, direction: Direction, shorthands: Shorthands): Promise<PgmDirectionResult> {
  const up = exportedFrom(module, 'up');
  let run = exportedFrom(module, direction);
  if (direction === 'down' && run === false) return { exported: false, queries: [], gaps: [], refused: 'its down is disabled (`down = false`): node-pg-migrate refuses to roll it back' };
  const inferred = direction === 'down' && run === undefined && typeof up === 'function';
  if (inferred) run = up;
  if (typeof run !== 'function') return { exported: false, queries: [], gaps: [] };

  const recording: Recording = { file, queries: [], gaps: new Set() };
  // What the migration sends straight through pgm.db runs at once, before the builder's steps.
  const direct: CapturedQuery[] = [];
  const db = {
    query: (sql: unknown) => {
      const text = typeof sql === 'string' ? sql : typeof sql === 'object' && sql !== null && 'text' in sql ? String((sql as { text: unknown }).text) : String(sql);
      recording.gaps.add(`sends \`${shorten(text)}\` through pgm.db.query, which was answered with no rows`);
      // A read is only a gap; anything else is sent as it is, and replayed.
      if (/^\s*(select|show|explain|values|table)\b/i.test(text)) return Promise.resolve({ rows: [], rowCount: 0, fields: [], command: 'SELECT' });
      const line = lineIn(new Error(), file);
      direct.push(line !== undefined ? { sql: text, line } : { sql: text });
      return Promise.resolve({ rows: [], rowCount: 0, fields: [], command: '' });
    },
    select: (sql: unknown) => {
      recording.gaps.add(`reads the database (\`${shorten(String(sql))}\`) and was answered with no rows`);
      return Promise.resolve([]);
    },
  };
  const builder = new Builder(db, Object.keys(shorthands).length > 0 ? shorthands : undefined, false, silent);
  if (inferred) builder.enableReverseMode();
  const lines = traceOperations(builder, file);
  setCurrent(recording);
  let refused: string | undefined;
  try {
    const action = run as (pgm: Builder, done?: () => void) => unknown;
    if (action.length === 2) await new Promise<void>((resolve) => void action(builder, resolve));
    else await action(builder);
  } catch (error) {
    if (inferred && error instanceof Error && /^Impossible to automatically infer/.test(error.message)) refused = 'node-pg-migrate cannot infer its down from this up (pgm.sql, pgm.db or an operation without a reverse): `migrate down` fails on it';
    else recording.gaps.add(error instanceof ExitAttempt ? error.message : `threw before it finished: ${describe(error)}`);
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    setCurrent(undefined);
  }
  if (refused) return { exported: false, queries: [], gaps: [], refused };
  const steps = builder.getSqlSteps();
  const stepLines = inferred ? [...lines].reverse() : lines;
  const queries = steps.map((sql, at): CapturedQuery => (stepLines[at] !== undefined ? { sql, line: stepLines[at] } : { sql }));
  return { exported: true, queries: [...direct, ...queries], gaps: [...recording.gaps], ...(inferred ? { inferred: true } : {}) };
}

/** Wraps each operation to note the line of the migration file that called it, once per SQL step it added. */
function traceOperations(builder: Builder, file: string): (number | undefined)[] {
  const lines: (number | undefined)[] = [];
  for (const name of Object.keys(builder)) {
    const operation = builder[name];
    if (NOT_OPERATIONS.has(name) || name.startsWith('_') || typeof operation !== 'function') continue;
    builder[name] = (...args: unknown[]) => {
      const before = builder.getSqlSteps().length;
      const result = (operation as (...args: unknown[]) => unknown)(...args);
      const line = lineIn(new Error(), file);
      for (let step = before; step < builder.getSqlSteps().length; step++) lines.push(line);
      return result;
    };
  }
  return lines;
}

function exportedFrom(module: Record<string, unknown>, name: string): unknown {
  if (name in module) return module[name];
  const fallback = module.default;
  return fallback && typeof fallback === 'object' ? (fallback as Record<string, unknown>)[name] : undefined;
}
