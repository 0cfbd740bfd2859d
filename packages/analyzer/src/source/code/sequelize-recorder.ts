/**
 * Sequelize's recorder (sequelize-cli / umzug migrations: `up(queryInterface, Sequelize)`): each direction runs
 * against Sequelize's own QueryInterface for PostgreSQL, whose query generator writes the SQL of createTable,
 * addColumn, addIndex, changeColumn… offline. Its connection manager hands out a recording connection instead of a
 * pg client: every query Sequelize would send is written down (replacements inlined by Sequelize, bind parameters
 * as literals by parameters.ts) and answered with no rows. A read (a SELECT, describeTable, the enum lookup of
 * createTable) is a gap. renameColumn is built without the describeTable Sequelize runs first: on PostgreSQL its
 * SQL does not depend on the answer.
 */
import { createRequire } from 'node:module';
import type { Direction } from './protocol.js';
import { inlineParameters } from './parameters.js';
import { describe, ExitAttempt, lineIn, setCurrent, shorten, type CodeDirectionResult, type Recording } from './recording.js';

const READ_SQL = /^[\s(]*(select|show|explain|values|table)\b/i;
const TRANSACTION_SQL = /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release\s+savepoint|set\s+(session\s+characteristics|transaction))\b/i;

interface QueryGenerator {
  renameColumnQuery(table: unknown, before: string, attributes: Record<string, unknown>): string;
}

interface QueryInterface {
  queryGenerator: QueryGenerator;
  sequelize: SequelizeInstance;
  renameColumn: (table: unknown, before: string, after: string, options?: object) => Promise<unknown>;
}

interface SequelizeInstance {
  query: (...args: unknown[]) => Promise<unknown>;
  getQueryInterface(): QueryInterface;
  connectionManager: { getConnection: () => Promise<unknown>; releaseConnection: () => Promise<void> };
  close(): Promise<void>;
}

export type SequelizeClass = new (options: object) => SequelizeInstance;

/**
 * migcheck's own Sequelize (an optional dependency: 20 MB that only Sequelize users need), else the one of the
 * project the migrations are in, which a Sequelize project has installed.
 */
export function loadSequelize(migrationFile: string): SequelizeClass {
  for (const from of [import.meta.url, migrationFile]) {
    try {
      return (createRequire(from)('sequelize') as { Sequelize: SequelizeClass }).Sequelize;
    } catch {
      // the next place
    }
  }
  throw new Error('the sequelize package is not installed, which builds the SQL of a Sequelize migration: npm install --save-dev sequelize');
}

type Callback = (error: Error | null, result?: object) => void;

/** A pg client's stand-in: records each statement and answers it with no rows. */
function recordingConnection(recording: Recording, origin: () => Error | undefined): object {
  return {
    query(sql: string, parametersOrCallback: unknown[] | Callback, maybeCallback?: Callback) {
      const callback = (typeof parametersOrCallback === 'function' ? parametersOrCallback : maybeCallback)!;
      const parameters = Array.isArray(parametersOrCallback) ? parametersOrCallback : undefined;
      const text = inlineParameters(sql, parameters).trim();
      const command = (/^[\s(]*(\w+)/.exec(text)?.[1] ?? '').toUpperCase();
      if (text !== '' && !TRANSACTION_SQL.test(text)) {
        if (READ_SQL.test(text)) recording.gaps.add(`reads the database (\`${shorten(text)}\`) and was answered with no rows`);
        else {
          const line = lineIn(origin(), recording.file);
          recording.queries.push(line !== undefined ? { sql: text, line } : { sql: text });
          if (/\breturning\b/i.test(text)) recording.gaps.add(`may use what \`${shorten(text)}\` returns, and was answered with no rows`);
        }
      }
      setImmediate(() => callback(null, { command, rows: [], rowCount: 0, fields: [] }));
    },
  };
}

export async function captureSequelizeDirection(Sequelize: SequelizeClass, file: string, module: Record<string, unknown>, direction: Direction): Promise<CodeDirectionResult> {
  const run = exportedFunction(module, direction);
  if (!run) return { exported: false, queries: [], gaps: [] };
  const recording: Recording = { file, queries: [], gaps: new Set() };
  const sequelize = new Sequelize({ dialect: 'postgres', logging: false });
  // The stack of the latest sequelize.query call: its async frames name the migration's line.
  let origin: Error | undefined;
  const query = sequelize.query.bind(sequelize);
  sequelize.query = (...args: unknown[]) => {
    origin = new Error();
    return query(...args);
  };
  const connection = recordingConnection(recording, () => origin);
  sequelize.connectionManager.getConnection = () => Promise.resolve(connection);
  sequelize.connectionManager.releaseConnection = () => Promise.resolve();
  const queryInterface = sequelize.getQueryInterface();
  queryInterface.renameColumn = (table, before, after, options) => {
    origin = new Error();
    return query(queryInterface.queryGenerator.renameColumnQuery(table, before, { [after]: {} }), options ?? {});
  };
  // umzug 3 passes one argument, `{ name, path, context }`, its context being the queryInterface: one object serves both.
  Object.defineProperty(queryInterface, 'context', { value: queryInterface, configurable: true });
  setCurrent(recording);
  try {
    await (run as (queryInterface: unknown, library: unknown) => unknown)(queryInterface, Sequelize);
  } catch (error) {
    recording.gaps.add(error instanceof ExitAttempt ? error.message : `threw before it finished: ${describe(error)}`);
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    setCurrent(undefined);
    await sequelize.close().catch(() => {});
  }
  return { exported: true, queries: recording.queries, gaps: [...recording.gaps] };
}

function exportedFunction(module: Record<string, unknown>, name: string): ((...args: unknown[]) => unknown) | undefined {
  const own = module[name] ?? (module.default && typeof module.default === 'object' ? (module.default as Record<string, unknown>)[name] : undefined);
  return typeof own === 'function' ? (own as (...args: unknown[]) => unknown) : undefined;
}
