/**
 * Reading a schema snapshot from the catalog (../snapshot.ts says what a snapshot is). Each module of this folder
 * reads one family of objects; a read may be limited to a scope of objects (./incremental.ts uses that to read
 * only what changed since its last read).
 */
import type { ExtensionInfo, SchemaInfo, SchemaSnapshot } from '../snapshot.js';
import { askedAtOnce, type Queryable } from '../queryable.js';
import { readIndexes, readConstraints, readTriggers, readTableRules, readPolicies } from './attached.js';
import { readColumns, type ColumnsByRelation } from './columns.js';
import { readFunctions } from './functions.js';
import { readRelations, readSequences } from './relations.js';
import {
  entriesRecord,
  EXCLUDED_SCHEMAS_CONDITION,
  notInExtension,
  ownershipColumns,
  ownershipOf,
  toRecord,
  type CatalogScope,
  type Entry,
  type OwnershipRow,
} from './sql.js';
import { readTypes } from './types.js';

export interface ReadSchemaSnapshotOptions {
  /**
   * Schemas to read. Default: every schema except `pg_catalog`, `information_schema`, `pg_toast*` and
   * `pg_temp*` (and schemas that belong to extensions). A listed schema that does not exist is simply absent.
   */
  schemas?: string[];
  /**
   * Read owners and privileges (default: true). Turn off to compare databases whose roles differ, e.g. a
   * shadow database created by another user than the one the target's objects belong to.
   */
  privileges?: boolean;
}

/** The oldest server the queries below are written for (`pg_trigger.tgparentid` is from 13). */
const MINIMUM_SERVER_VERSION = 130000;

// ─── Reading ────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Settings under which the catalog is read, so that deparsed text does not depend on the caller's session:
 * a search_path of pg_catalog alone (and pg_temp after it) makes every user object schema-qualified (`public.users`, `public.mood`), and the
 * output styles fix how constants in defaults and expressions are printed. Restored afterwards.
 */
const READING_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  // pg_temp named last: otherwise it is searched first, and a session's temporary type called `text` would turn
  // every deparsed `text` into `pg_catalog.text`.
  ['search_path', 'pg_catalog, pg_temp'],
  ['DateStyle', 'ISO, MDY'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
  // Catalog queries are short: compiling them (a production server's default, jit_above_cost) costs more than it saves.
  ['jit', 'off'],
  // The shadow prepares these queries once per session (shadow/catalog-reader.ts): plan them once, not per execution.
  ['plan_cache_mode', 'force_generic_plan'],
];

/**
 * Reads the schema of the database `db` (one session) is connected to. Runs only `SELECT`s (safe in a `READ ONLY`
 * transaction), and can run inside the caller's transaction, e.g. to snapshot a rehearsal before rolling it back.
 */
export async function readSchemaSnapshot(db: Queryable, options: ReadSchemaSnapshotOptions = {}): Promise<SchemaSnapshot> {
  const reading = await readCatalog(db, options);
  return snapshotOf(reading.schemas, reading.extensions, reading.owned);
}

/** The maps of a snapshot whose records hang off a relation, type or function: what a scoped read can replace. */
export type OwnedKind = Exclude<keyof SchemaSnapshot, 'schemas' | 'extensions'>;
export type OwnedEntries = { [K in OwnedKind]: Entry<NonNullable<SchemaSnapshot[K]>[string]>[] };

/** A whole reading, with the owners of each record. */
export interface CatalogReading {
  schemas: Record<string, SchemaInfo>;
  extensions: Record<string, ExtensionInfo>;
  owned: OwnedEntries;
  serverVersion: number;
}

export async function readCatalog(db: Queryable, options: ReadSchemaSnapshotOptions = {}): Promise<CatalogReading> {
  return withReadingSettings(db, () => readCatalogUnderSettings(db, options));
}

/** readCatalog, in a session already under the reading settings (withReadingSettings). */
export async function readCatalogUnderSettings(session: Queryable, options: ReadSchemaSnapshotOptions = {}): Promise<CatalogReading> {
  const db = askedAtOnce(session);
  const withPrivileges = options.privileges ?? true;
  const [serverVersion, schemas, extensions] = await Promise.all([readServerVersion(db), readSchemas(db, options.schemas, withPrivileges), readExtensions(db)]);
  const owned = await readOwned(db, Object.keys(schemas), serverVersion, withPrivileges);
  return { schemas, extensions, owned, serverVersion };
}

/**
 * The records owned by objects of `schemas` (all of them, or only those whose owners are in `scope`). Must run
 * under the reading settings (withReadingSettings).
 */
export async function readOwned(
  session: Queryable,
  schemas: string[],
  serverVersion: number,
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<OwnedEntries> {
  const db = askedAtOnce(session);
  // A scope without relations (types, functions) reads nothing of theirs: no query for it.
  const relations = scope?.relations.length !== 0;
  const types = scope?.types.length !== 0 || relations;
  const functions = scope?.functions.length !== 0;
  // Every family asked for at once: a session that pipelines (shadow/catalog-reader.ts) sends them in one round trip.
  // Types and relations take their columns when those have arrived; no family waits for another's query.
  const columnsByRelation: Promise<ColumnsByRelation> = relations ? readColumns(db, schemas, serverVersion, withPrivileges, scope) : Promise.resolve(new Map());
  columnsByRelation.catch(() => {}); // awaited below; a family failing first must not leave its rejection unhandled
  const [typeEntries, sequences, relationEntries, indexes, constraints, triggers, rules, policies, functionEntries] = await Promise.all([
    types
      ? readTypes(db, schemas, serverVersion, columnsByRelation, withPrivileges, scope)
      : { enums: [], compositeTypes: [], domains: [], rangeTypes: [], baseTypes: [] },
    relations ? readSequences(db, schemas, withPrivileges, scope) : [],
    relations ? readRelations(db, schemas, columnsByRelation, withPrivileges, scope) : { tables: [], views: [], materializedViews: [] },
    relations ? readIndexes(db, schemas, scope) : [],
    relations ? readConstraints(db, schemas, scope) : [],
    relations ? readTriggers(db, schemas, scope) : [],
    relations ? readTableRules(db, schemas, scope) : [],
    relations ? readPolicies(db, schemas, scope) : [],
    functions ? readFunctions(db, schemas, withPrivileges, scope) : [],
  ]);
  return { ...typeEntries, sequences, ...relationEntries, indexes, constraints, triggers, rules, policies, functions: functionEntries };
}

/** The snapshot, its maps in the order of SchemaSnapshot's fields (a cached snapshot's JSON is compared as text). */
export function snapshotOf(
  schemas: Record<string, SchemaInfo>,
  extensions: Record<string, ExtensionInfo>,
  owned: OwnedEntries,
): SchemaSnapshot {
  return {
    schemas,
    extensions,
    enums: entriesRecord(owned.enums),
    compositeTypes: entriesRecord(owned.compositeTypes),
    domains: entriesRecord(owned.domains),
    rangeTypes: entriesRecord(owned.rangeTypes),
    baseTypes: entriesRecord(owned.baseTypes),
    sequences: entriesRecord(owned.sequences),
    tables: entriesRecord(owned.tables),
    views: entriesRecord(owned.views),
    materializedViews: entriesRecord(owned.materializedViews),
    indexes: entriesRecord(owned.indexes),
    constraints: entriesRecord(owned.constraints),
    triggers: entriesRecord(owned.triggers),
    rules: entriesRecord(owned.rules),
    policies: entriesRecord(owned.policies),
    functions: entriesRecord(owned.functions),
  };
}

/**
 * Runs `work` under the reading settings, restored after. The catalog queries name every relation and type with its
 * schema: a session that ran migrations may hold temporary tables or types (searched before pg_catalog) named like
 * catalog tables, or a search_path that puts other schemas' functions first.
 */
export async function withReadingSettings<T>(db: Queryable, work: () => Promise<T>): Promise<T> {
  const applying = applyReadingSettings(db);
  // A session that takes queries at once runs them in the order asked (the shadow's, ../../shadow/catalog-reader.ts):
  // the work's first queries go in the settings' round trip (the fingerprint of a replay's reading: 312 round trips
  // fewer in a cold lint of Lemmy). Any other session has them set first.
  if (!db.takesQueriesAtOnce) await applying;
  applying.catch(() => {}); // awaited below, after the work (whose queries in its round trip fail with it)
  try {
    const result = await work();
    await applying; // a reading made without its settings is no reading
    return result;
  } finally {
    const previousSettings = await applying.catch(() => undefined);
    if (previousSettings) await restoreSettings(db, previousSettings);
  }
}

export async function readServerVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT pg_catalog.current_setting('server_version_num')::int AS version`,
  );
  const version = rows[0]?.version ?? 0;
  if (version < MINIMUM_SERVER_VERSION) {
    throw new Error(`reading a schema snapshot needs PostgreSQL 13 or later (server_version_num ${version})`);
  }
  return version;
}

async function applyReadingSettings(session: Queryable): Promise<Array<readonly [string, string]>> {
  const db = askedAtOnce(session);
  const names = READING_SETTINGS.map(([name]) => name);
  // Asked for together, run in this order: the settings as they were, then the reading's.
  const [{ rows }] = await Promise.all([
    db.query<{ name: string; value: string }>(`SELECT name, pg_catalog.current_setting(name) AS value FROM pg_catalog.unnest($1::pg_catalog.text[]) AS name`, [names]),
    setSettings(db, READING_SETTINGS),
  ]);
  return rows.map((row) => [row.name, row.value] as const);
}

async function restoreSettings(db: Queryable, settings: ReadonlyArray<readonly [string, string]>): Promise<void> {
  try {
    await setSettings(db, settings);
  } catch {
    // The session is unusable (e.g. an aborted transaction): the original error, if any, is the one to report,
    // and a rolled-back transaction restores the settings by itself.
  }
}

async function setSettings(db: Queryable, settings: ReadonlyArray<readonly [string, string]>): Promise<void> {
  await db.query(`SELECT pg_catalog.set_config(name, value, false) FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) AS s(name, value)`, [
    settings.map(([name]) => name),
    settings.map(([, value]) => value),
  ]);
}

async function readSchemas(
  db: Queryable,
  requested: string[] | undefined,
  withPrivileges: boolean,
): Promise<Record<string, SchemaInfo>> {
  const { rows } = await db.query<{ name: string; comment: string | null } & OwnershipRow>(
    `SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment,
       ${ownershipColumns(withPrivileges, 'n.nspowner', 'n.nspacl', 'n')}
     FROM pg_catalog.pg_namespace AS n
     WHERE ${requested ? 'n.nspname = ANY($1::pg_catalog.text[])' : EXCLUDED_SCHEMAS_CONDITION}
       AND ${notInExtension('pg_namespace', 'n.oid')}`,
    requested ? [requested] : [],
  );
  return toRecord(rows.map((row) => [row.name, { name: row.name, ...ownershipOf(row), comment: row.comment }]));
}

async function readExtensions(db: Queryable): Promise<Record<string, ExtensionInfo>> {
  const { rows } = await db.query<ExtensionInfo>(
    `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
     FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace`,
  );
  return toRecord(rows.map((row) => [row.name, { name: row.name, version: row.version, schema: row.schema }]));
}
