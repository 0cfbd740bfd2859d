/**
 * Whether a migration is already applied to the target database: from the migration tool's tracking
 * table where there is one (diesel, golang-migrate, dbmate, Flyway, Prisma, knex, node-pg-migrate, TypeORM, Sequelize, drizzle), else from
 * the catalog (do the objects it creates exist, are the ones it drops gone?). When neither can tell,
 * the state is unknown and the plan covers both.
 */
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { findColumn, findIndex, findTable, objectExists } from '../catalog/lookup.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { quoteIdent } from '../sql/quote.js';
import type { RecognisedMigration } from '../plan/analyze.js';
import type { Migration } from '../source/discover.js';

export type MigrationState = 'pending' | 'applied' | 'unknown';

export interface StateDecision {
  state: MigrationState;
  /** How it was decided, for the report: "__diesel_schema_migrations has version 20190226002946". */
  how: string;
}

/** What the tracking tables of the target say: per tool, the identifiers of the applied migrations. */
export interface TrackingRecords {
  diesel?: Set<string>;
  /** golang-migrate keeps one row: the current version, and whether it is dirty (half applied). */
  golangMigrate?: { version: bigint; dirty: boolean };
  dbmate?: Set<string>;
  flyway?: Set<string>;
  prisma?: Set<string>;
  knex?: Set<string>;
  /**
   * Every table shaped like knex's (name, batch, migration_time), by `schema.table`: a knexfile may name another
   * `tableName` or a `schemaName`.
   */
  knexTables?: { schema: string; table: string; names: Set<string> }[];
  /** node-pg-migrate records each migration's file name without its extension. */
  nodePgMigrate?: Set<string>;
  /** TypeORM's `migrations` table records each migration's name (its class name, timestamp included). */
  typeorm?: Set<string>;
  /** Sequelize's `SequelizeMeta` records each migration's file name. */
  sequelize?: Set<string>;
  /** drizzle records the sha256 of each migration file. */
  drizzle?: Set<string>;
}

interface TableColumns {
  schema: string;
  table: string;
  columns: string[];
}

const TRACKING_TABLES = ['__diesel_schema_migrations', 'schema_migrations', 'flyway_schema_history', '_prisma_migrations', 'knex_migrations', 'pgmigrations', 'migrations', 'SequelizeMeta', '__drizzle_migrations'];
/** The columns that make a table knex's, whatever its name. */
const KNEX_COLUMNS = ['name', 'batch', 'migration_time'];

/** Reads the tracking tables that exist (in any schema). Runs read-only queries only. */
export async function readTrackingRecords(client: ClientBase): Promise<TrackingRecords> {
  const { rows } = await client.query<TableColumns>(
    `SELECT n.nspname AS schema, c.relname AS "table", array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p')
        AND (c.relname = ANY($1)
             OR (SELECT count(*) FROM pg_attribute k WHERE k.attrelid = c.oid AND NOT k.attisdropped AND k.attname = ANY($2)) = cardinality($2))
      GROUP BY 1, 2`,
    [TRACKING_TABLES, KNEX_COLUMNS],
  );
  const records: TrackingRecords = {};
  const select = async (table: TableColumns, sql: string): Promise<string[]> => {
    const qualified = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
    const result = await client.query<{ value: string }>(sql.replace('$table', qualified));
    return result.rows.map((row) => row.value);
  };
  for (const table of rows) {
    if (KNEX_COLUMNS.every((column) => table.columns.includes(column))) {
      (records.knexTables ??= []).push({ schema: table.schema, table: table.table, names: new Set(await select(table, 'SELECT name AS value FROM $table')) });
    }
    switch (table.table) {
      case '__diesel_schema_migrations':
        records.diesel = new Set(await select(table, 'SELECT version AS value FROM $table'));
        break;
      case 'schema_migrations':
        if (table.columns.includes('dirty')) {
          const [row] = (await client.query<{ version: string; dirty: boolean }>(`SELECT version::text AS version, dirty FROM ${quoteIdent(table.schema)}.${quoteIdent(table.table)} LIMIT 1`)).rows;
          if (row) records.golangMigrate = { version: BigInt(row.version), dirty: row.dirty };
        } else {
          records.dbmate = new Set(await select(table, 'SELECT version::text AS value FROM $table'));
        }
        break;
      case 'flyway_schema_history':
        records.flyway = new Set(await select(table, 'SELECT version AS value FROM $table WHERE success AND version IS NOT NULL'));
        break;
      case '_prisma_migrations':
        records.prisma = new Set(await select(table, 'SELECT migration_name AS value FROM $table WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL'));
        break;
      case 'knex_migrations':
        records.knex = new Set(await select(table, 'SELECT name AS value FROM $table'));
        break;
      case 'pgmigrations':
        records.nodePgMigrate = new Set(await select(table, 'SELECT name AS value FROM $table'));
        break;
      case 'migrations':
        // Only TypeORM's shape: a table named migrations may be the application's own.
        if (['id', 'timestamp', 'name'].every((column) => table.columns.includes(column))) records.typeorm = new Set(await select(table, 'SELECT name AS value FROM $table'));
        break;
      case 'SequelizeMeta':
        records.sequelize = new Set(await select(table, 'SELECT name AS value FROM $table'));
        break;
      case '__drizzle_migrations':
        records.drizzle = new Set(await select(table, 'SELECT hash AS value FROM $table'));
        break;
    }
  }
  return records;
}

/** The tracking table's answer for one migration, if a table of its tool exists. */
export function stateFromTracking(migration: Migration, records: TrackingRecords): StateDecision | undefined {
  const file = migration.up.path.split('/').at(-1) ?? '';
  const decide = (applied: boolean, how: string): StateDecision => ({ state: applied ? 'applied' : 'pending', how });
  switch (migration.layout) {
    case 'diesel': {
      if (!records.diesel) break;
      const version = migration.version.replace(/\D/g, '');
      return decide(records.diesel.has(version), `__diesel_schema_migrations ${records.diesel.has(version) ? 'has' : 'lacks'} version ${version}`);
    }
    case 'golang-migrate': {
      if (!records.golangMigrate) break;
      const { version, dirty } = records.golangMigrate;
      const mine = BigInt(migration.version);
      if (dirty && mine === version) return { state: 'unknown', how: `schema_migrations is dirty at version ${version}: this migration failed half-way` };
      return decide(mine <= version, `schema_migrations is at version ${version}`);
    }
    case 'dbmate':
      if (!records.dbmate) break;
      return decide(records.dbmate.has(migration.version), `schema_migrations ${records.dbmate.has(migration.version) ? 'has' : 'lacks'} version ${migration.version}`);
    case 'flyway':
      if (!records.flyway || migration.version === 'R') break;
      return decide(records.flyway.has(migration.version), `flyway_schema_history ${records.flyway.has(migration.version) ? 'has' : 'lacks'} a successful version ${migration.version}`);
    case 'prisma': {
      if (!records.prisma) break;
      const name = migration.id;
      return decide(records.prisma.has(name), `_prisma_migrations ${records.prisma.has(name) ? 'has' : 'lacks'} ${name}`);
    }
    case 'node-pg-migrate': {
      if (!records.nodePgMigrate) break;
      const name = file.replace(/\.[^.]+$/, '');
      return decide(records.nodePgMigrate.has(name), `pgmigrations ${records.nodePgMigrate.has(name) ? 'has' : 'lacks'} ${name}`);
    }
    case 'typeorm':
      if (!records.typeorm) break;
      return decide(records.typeorm.has(migration.id), `migrations ${records.typeorm.has(migration.id) ? 'has' : 'lacks'} ${migration.id}`);
    case 'sequelize':
      if (!records.sequelize) break;
      return decide(records.sequelize.has(file), `SequelizeMeta ${records.sequelize.has(file) ? 'has' : 'lacks'} ${file}`);
    case 'knex': {
      const table = migration.trackingTable;
      if (!table) break;
      const applied = knexTableRecords(records, table);
      const shown = `${table.schema ? `${table.schema}.` : ''}${table.table}`;
      // Not there: knex never ran against this database with that knexfile, and the catalog decides.
      if (!applied) return undefined;
      return decide(applied.has(file), `${shown} ${applied.has(file) ? 'has' : 'lacks'} ${file}`);
    }
    default:
      break;
  }
  if (records.knex) return decide(records.knex.has(file), `knex_migrations ${records.knex.has(file) ? 'has' : 'lacks'} ${file}`);
  if (records.drizzle) {
    const hash = createHash('sha256').update(migration.up.text).digest('hex');
    return decide(records.drizzle.has(hash), `__drizzle_migrations ${records.drizzle.has(hash) ? 'has' : 'lacks'} this file's hash`);
  }
  return undefined;
}

/** The records of the knex table a knexfile names: in its schema, else the one in public, else the only one. */
function knexTableRecords(records: TrackingRecords, table: { schema?: string; table: string }): Set<string> | undefined {
  const named = (records.knexTables ?? []).filter((found) => found.table === table.table && (table.schema === undefined || found.schema === table.schema));
  return (named.find((found) => found.schema === 'public') ?? (named.length === 1 ? named[0] : undefined))?.names;
}

/**
 * The catalog's answer: each change that creates, drops or renames something votes for "applied" or
 * "pending" by whether the target has the result. Unanimous votes decide; none or a split is unknown.
 */
export function stateFromCatalog(analyzed: RecognisedMigration, target: SchemaSnapshot): StateDecision {
  let applied = 0;
  let pending = 0;
  const evidence: string[] = [];
  for (const { change } of analyzed.changes) {
    const vote = voteOf(change, target);
    if (vote === undefined) continue;
    if (vote) applied++;
    else pending++;
    if (evidence.length < 3) evidence.push(`${change.object} ${vote ? 'matches' : 'does not match'} the migrated schema`);
  }
  const summary = evidence.join('; ');
  if (applied > 0 && pending === 0) return { state: 'applied', how: `catalog: ${summary}` };
  if (pending > 0 && applied === 0) return { state: 'pending', how: `catalog: ${summary}` };
  return { state: 'unknown', how: applied + pending === 0 ? 'no tracking table, and no change of this migration shows in the catalog' : `catalog: votes split (${summary})` };
}

function voteOf(change: RecognisedMigration['changes'][number]['change'], target: SchemaSnapshot): boolean | undefined {
  const table = change.target?.table;
  const column = change.target?.columns?.[0];
  const details = change.details as { index?: { schema: string; name: string }; to?: string; lookup?: { kind: string; name: { schema: string; name: string } | string } };
  switch (change.kind) {
    case 'add_table':
      return table ? findTable(target, table) !== undefined : undefined;
    case 'drop_table':
      return table ? findTable(target, table) === undefined : undefined;
    case 'add_column':
      return table && column ? findColumn(target, table, column) !== undefined : undefined;
    case 'drop_column':
      return table && column ? findTable(target, table) !== undefined && findColumn(target, table, column) === undefined : undefined;
    case 'rename_table':
      return table && details.to ? findTable(target, { schema: table.schema, name: details.to }) !== undefined : undefined;
    case 'rename_column':
      return table && details.to ? findColumn(target, table, details.to) !== undefined : undefined;
    case 'add_index':
      return details.index ? findIndex(target, details.index) !== undefined : undefined;
    case 'create_object':
      return details.lookup ? objectExists(target, details.lookup.kind, details.lookup.name) : undefined;
    default:
      return undefined;
  }
}
