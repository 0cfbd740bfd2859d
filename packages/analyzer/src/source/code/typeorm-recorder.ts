/**
 * TypeORM's recorder: a migration class's `up(queryRunner)` / `down(queryRunner)` run against a recording query
 * runner. `queryRunner.query(sql, params)` is written down, its parameters as literals (parameters.ts). TypeORM
 * itself is not used: its PostgresQueryRunner builds the SQL of its schema methods (addColumn, dropColumn,
 * createIndex, createForeignKey…) from the table as the live database describes it (getCachedTable loads it
 * from information_schema), so without a database those methods cannot be captured; each call is a gap, and the
 * migration is at least risky. A read (a SELECT, hasTable, getTable…) is answered with nothing, and is a gap.
 */
import type { Direction } from './protocol.js';
import { inert, unansweredRows } from './inert.js';
import { inlineParameters } from './parameters.js';
import { describe, ExitAttempt, gap, lineIn, setCurrent, shorten, type CodeDirectionResult, type Recording } from './recording.js';

/** Transaction control: TypeORM runs migrations in a transaction anyway. */
const TRANSACTION_METHODS = new Set(['connect', 'release', 'startTransaction', 'commitTransaction', 'rollbackTransaction']);
/** QueryRunner methods that answer with what the database holds. */
const READ_METHOD = /^(has|get|load)[A-Z]/;
/** SQL whose answer is rows the code may use: answered with none, and a gap. */
const READ_SQL = /^[\s(]*(select|show|explain|values|table)\b/i;
const TRANSACTION_SQL = /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release\s+savepoint)\b/i;

/** The migration class a module exports: a class whose prototype has an `up` method. */
export function migrationClass(module: Record<string, unknown>): (new () => Record<string, unknown>) | undefined {
  const candidates = [...Object.values(module), ...(module.default && typeof module.default === 'object' ? Object.values(module.default) : [])];
  return candidates.find(
    (value): value is new () => Record<string, unknown> =>
      typeof value === 'function' && typeof (value as { prototype?: { up?: unknown } }).prototype?.up === 'function',
  );
}

function recordingQueryRunner(recording: Recording): object {
  const query = (sql: unknown, parameters?: unknown[]) => {
    const text = inlineParameters(String(sql), Array.isArray(parameters) ? parameters : undefined).trim();
    if (text === '' || TRANSACTION_SQL.test(text)) return Promise.resolve([]);
    if (READ_SQL.test(text)) {
      recording.gaps.add(`reads the database (\`${shorten(text)}\`) and was answered with no rows`);
      return Promise.resolve([]);
    }
    const line = lineIn(new Error(), recording.file);
    recording.queries.push(line !== undefined ? { sql: text, line } : { sql: text });
    return Promise.resolve(unansweredRows(shorten(text)));
  };
  const members = new Map<string | symbol, unknown>();
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (key === 'then') return undefined;
        if (key === 'query') return query;
        if (typeof key !== 'string') return undefined;
        if (TRANSACTION_METHODS.has(key)) return () => Promise.resolve();
        if (key === 'isTransactionActive') return true;
        if (key === 'isReleased') return false;
        if (!members.has(key)) {
          members.set(
            key,
            READ_METHOD.test(key)
              ? inert(() => gap(`reads the database (queryRunner.${key}) and was answered with nothing`))
              : inert(() => gap(`calls queryRunner.${key}, which is not captured (TypeORM builds its SQL from the live database): its statements are missing`)),
          );
        }
        return members.get(key);
      },
    },
  );
}

export async function captureTypeormDirection(file: string, module: Record<string, unknown>, direction: Direction): Promise<CodeDirectionResult> {
  const Migration = migrationClass(module);
  if (!Migration || typeof Migration.prototype[direction] !== 'function') return { exported: false, queries: [], gaps: [] };
  const recording: Recording = { file, queries: [], gaps: new Set() };
  setCurrent(recording);
  try {
    const instance = new Migration();
    await (instance[direction] as (runner: object) => unknown).call(instance, recordingQueryRunner(recording));
  } catch (error) {
    recording.gaps.add(error instanceof ExitAttempt ? error.message : `threw before it finished: ${describe(error)}`);
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    setCurrent(undefined);
  }
  return { exported: true, queries: recording.queries, gaps: [...recording.gaps] };
}
