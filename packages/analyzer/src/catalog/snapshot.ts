/**
 * A normalised, JSON-serialisable snapshot of a database schema, read from the PostgreSQL catalog.
 *
 * Postgres is the oracle (DESIGN.md): every definition comes from the server's own deparsers
 * (`pg_get_indexdef`, `pg_get_constraintdef`, `pg_get_viewdef`, `pg_get_functiondef`, `pg_get_triggerdef`,
 * `pg_get_expr`, `format_type`…), never from a hand-written simulator of DDL.
 *
 * Two snapshots of equal schemas are deep-equal, whatever the creation order, OIDs or physical layout:
 * - objects live in maps keyed by a stable identity (`schema.table`, `schema.table.constraint`,
 *   `schema.function(identity arguments)`…), with keys inserted in sorted order;
 * - arrays are used only where order means something (enum labels, composite attributes, inheritance parents),
 *   and are sorted where it does not (roles of a policy, storage options);
 * - nothing that changes without a schema change is recorded (no OIDs, relfilenodes, statistics, sequence
 *   positions);
 * - a column's position is its rank among the live columns, so a dropped column leaves no trace; it is kept as
 *   information, and diffSnapshots ignores it unless asked (a re-added column lands at the end).
 * - absent values are `null`, never missing, so that JSON round trips preserve equality.
 */
import { quoteLiteral } from '../sql/quote.js';
import type { Queryable } from './queryable.js';

// ─── The snapshot ───────────────────────────────────────────────────────────────────────────────────────────

export interface SchemaSnapshot {
  /** Key: schema name. */
  schemas: Record<string, SchemaInfo>;
  /** Key: extension name. Extensions are database-wide, so they are listed whatever `schemas` is given. */
  extensions: Record<string, ExtensionInfo>;
  /** Key: `schema.type`. */
  enums: Record<string, EnumTypeInfo>;
  /** Key: `schema.type`. */
  compositeTypes: Record<string, CompositeTypeInfo>;
  /** Key: `schema.domain`. */
  domains: Record<string, DomainInfo>;
  /** Key: `schema.type`. */
  rangeTypes: Record<string, RangeTypeInfo>;
  /** User-defined base types and shell types (`CREATE TYPE name` / `CREATE TYPE name (INPUT = …)`). Key: `schema.type`. */
  baseTypes: Record<string, BaseTypeInfo>;
  /** Key: `schema.sequence`. Includes the sequences behind serial and identity columns. */
  sequences: Record<string, SequenceInfo>;
  /** Ordinary, partitioned and foreign tables. Key: `schema.table`. */
  tables: Record<string, TableInfo>;
  /** Key: `schema.view`. */
  views: Record<string, ViewInfo>;
  /** Key: `schema.view`. */
  materializedViews: Record<string, MaterializedViewInfo>;
  /** Indexes on tables and materialized views, including those behind constraints. Key: `schema.index`. */
  indexes: Record<string, IndexInfo>;
  /** Table constraints (not NOT NULL: that is a column's `notNull`). Key: `schema.table.constraint`. */
  constraints: Record<string, ConstraintInfo>;
  /** User triggers (not the internal ones behind foreign keys). Key: `schema.table.trigger`. */
  triggers: Record<string, TriggerInfo>;
  /**
   * Rewrite rules on tables (`CREATE RULE … ON UPDATE TO t DO ALSO …`; not the `_RETURN` rule of a view). Key:
   * `schema.table.rule`. Absent in snapshots read before rules were recorded: then they are unknown.
   */
  rules?: Record<string, TableRuleInfo>;
  /** Row-level security policies. Key: `schema.table.policy`. */
  policies: Record<string, PolicyInfo>;
  /** Functions, procedures and aggregates. Key: `schema.name(identity arguments)`. */
  functions: Record<string, FunctionInfo>;
}

/**
 * Who owns an object and who may use it. Privileges are the object's ACL as `grantee=privileges/grantor`
 * items (an empty grantee is PUBLIC), sorted, with "never granted" read as the owner's default privileges, so
 * that "never granted" and "granted, then revoked" compare equal. Both are `null` / `[]` when the snapshot was
 * read with `privileges: false`.
 */
export interface Ownership {
  owner: string | null;
  privileges: string[];
}

export interface SchemaInfo extends Ownership {
  name: string;
  comment: string | null;
}

export interface ExtensionInfo {
  name: string;
  version: string;
  schema: string;
}

export interface EnumTypeInfo extends Ownership {
  schema: string;
  name: string;
  /** In sort order (the order `<` compares them in), which is meaningful. */
  labels: string[];
  comment: string | null;
}

export interface CompositeTypeInfo extends Ownership {
  schema: string;
  name: string;
  /** In attribute order, which is meaningful for a composite type (row constructors, `(x).*`). */
  attributes: CompositeAttributeInfo[];
  comment: string | null;
}

export interface CompositeAttributeInfo {
  name: string;
  /** `format_type()`, e.g. `character varying(20)`. */
  type: string;
  /** Only when it differs from the type's default collation. */
  collation: string | null;
  comment: string | null;
}

export interface DomainInfo extends Ownership {
  schema: string;
  name: string;
  baseType: string;
  notNull: boolean;
  default: string | null;
  collation: string | null;
  /** Key: constraint name. */
  constraints: Record<string, DomainConstraintInfo>;
  comment: string | null;
}

export interface DomainConstraintInfo {
  name: string;
  /** `pg_get_constraintdef()`, e.g. `CHECK (VALUE > 0)`. */
  definition: string;
  validated: boolean;
  comment: string | null;
}

export interface RangeTypeInfo extends Ownership {
  schema: string;
  name: string;
  subtype: string;
  subtypeOperatorClass: string;
  collation: string | null;
  canonicalFunction: string | null;
  subtypeDiffFunction: string | null;
  /** The multirange type created with it (PostgreSQL 14 and later; `null` on 13). */
  multirangeType: string | null;
  comment: string | null;
}

export interface BaseTypeInfo extends Ownership {
  schema: string;
  name: string;
  /** A shell type (`CREATE TYPE name;`) has no functions yet. */
  shell: boolean;
  inputFunction: string | null;
  outputFunction: string | null;
  receiveFunction: string | null;
  sendFunction: string | null;
  /** -1 for variable length. */
  internalLength: number;
  passedByValue: boolean;
  alignment: string;
  storage: string;
  category: string;
  comment: string | null;
}

export interface SequenceInfo extends Ownership {
  schema: string;
  name: string;
  dataType: string;
  /** Bounds and steps are bigints, kept as decimal strings. */
  start: string;
  increment: string;
  minValue: string;
  maxValue: string;
  cache: string;
  cycle: boolean;
  persistence: Persistence;
  /** `schema.table.column` for `OWNED BY` (serial) and identity sequences. */
  ownedBy: string | null;
  comment: string | null;
}

export type Persistence = 'permanent' | 'unlogged' | 'temporary';

export interface TableInfo extends Ownership {
  schema: string;
  name: string;
  kind: 'table' | 'partitioned table' | 'foreign table';
  persistence: Persistence;
  /** `pg_get_partkeydef()` of a partitioned table, e.g. `RANGE (created_at)`. */
  partitionKey: string | null;
  /** `schema.table` of the parent when this table is a partition. */
  partitionOf: string | null;
  /** e.g. `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`. */
  partitionBound: string | null;
  /** Parents by (non-partition) inheritance, in inheritance order. */
  inherits: string[];
  rowLevelSecurity: boolean;
  forceRowLevelSecurity: boolean;
  /** Storage parameters (`fillfactor=70`…), sorted. */
  options: string[];
  /** `null` for the database's default tablespace. */
  tablespace: string | null;
  /** Table access method (`heap`), `null` for partitioned and foreign tables. */
  accessMethod: string | null;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  foreignServer: string | null;
  /** Foreign table options, sorted. */
  foreignOptions: string[];
  /** Key: column name. */
  columns: Record<string, ColumnInfo>;
  comment: string | null;
}

export interface ColumnInfo {
  name: string;
  /**
   * 1-based order among the table's live columns (the order `SELECT *` shows). Information only: diffSnapshots
   * ignores it unless asked, since a dropped and re-added column lands at the end.
   */
  position: number;
  /** `format_type(atttypid, atttypmod)`, e.g. `integer`, `character varying(255)`, `public.mood[]`. */
  type: string;
  notNull: boolean;
  /** `pg_get_expr(adbin, adrelid)` of a default (not of a generation expression). */
  default: string | null;
  identity: 'always' | 'by default' | null;
  /** e.g. `(price * quantity) STORED`. */
  generated: string | null;
  /** Only when it differs from the type's default collation. */
  collation: string | null;
  /** `ALTER COLUMN … SET STORAGE`, only when it differs from the type's default. */
  storage: 'plain' | 'external' | 'extended' | 'main' | null;
  /** `ALTER COLUMN … SET COMPRESSION` (PostgreSQL 14 and later). */
  compression: 'pglz' | 'lz4' | null;
  /** Column-level grants (`GRANT SELECT (email) ON users TO …`), sorted; `[]` when there are none. */
  privileges: string[];
  comment: string | null;
}

export interface ViewInfo extends Ownership {
  schema: string;
  name: string;
  /** `pg_get_viewdef()`: the query, as Postgres deparses it. */
  definition: string;
  /** `security_barrier`, `check_option=…`, `security_invoker`…, sorted. */
  options: string[];
  /** Key: column name. */
  columns: Record<string, ColumnInfo>;
  comment: string | null;
}

export interface MaterializedViewInfo extends ViewInfo {
  /** `false` after `WITH NO DATA`, until refreshed. */
  populated: boolean;
  tablespace: string | null;
  accessMethod: string | null;
}

export interface IndexInfo {
  schema: string;
  name: string;
  /** `schema.table` (or materialized view) the index is on. */
  table: string;
  /** `pg_get_indexdef()`, e.g. `CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)`. */
  definition: string;
  /** Name of the primary key, unique or exclusion constraint the index implements. */
  constraint: string | null;
  /** `false` for an index left behind by a failed `CREATE INDEX CONCURRENTLY`. */
  valid: boolean;
  clustered: boolean;
  replicaIdentity: boolean;
  tablespace: string | null;
  /** `schema.index` of the partitioned index this one is attached to. */
  partitionOf: string | null;
  comment: string | null;
}

export type ConstraintType = 'primary key' | 'unique' | 'check' | 'foreign key' | 'exclusion';

export interface ConstraintInfo {
  schema: string;
  /** `schema.table`. */
  table: string;
  name: string;
  /** A type this code does not know yet is reported as `contype <letter>`, never dropped. */
  type: ConstraintType | `contype ${string}`;
  /** `pg_get_constraintdef()`, e.g. `FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE`. */
  definition: string;
  deferrable: boolean;
  initiallyDeferred: boolean;
  /** `false` for `NOT VALID` until `VALIDATE CONSTRAINT`. */
  validated: boolean;
  comment: string | null;
}

export interface TableRuleInfo {
  schema: string;
  /** `schema.table`. */
  table: string;
  name: string;
  /** `pg_get_ruledef()`. */
  definition: string;
  /** Like a trigger's: a disabled rule does not fire. */
  enabled: 'origin' | 'replica' | 'always' | 'disabled';
}

export interface TriggerInfo {
  schema: string;
  /** `schema.table` (or view). */
  table: string;
  name: string;
  /** `pg_get_triggerdef()`. */
  definition: string;
  /** `ALTER TABLE … ENABLE/DISABLE [REPLICA | ALWAYS] TRIGGER`. */
  enabled: 'origin' | 'replica' | 'always' | 'disabled';
  comment: string | null;
}

export interface PolicyInfo {
  schema: string;
  /** `schema.table`. */
  table: string;
  name: string;
  command: 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  permissive: boolean;
  /** Role names, sorted; `public` for PUBLIC. */
  roles: string[];
  using: string | null;
  withCheck: string | null;
  comment: string | null;
}

export interface FunctionInfo extends Ownership {
  schema: string;
  name: string;
  /** `pg_get_function_identity_arguments()`, e.g. `a integer, b text`. */
  identityArguments: string;
  kind: 'function' | 'procedure' | 'aggregate' | 'window';
  /**
   * `pg_get_functiondef()` for functions and procedures. Postgres has no deparser for aggregates, so for them
   * it is a listing of their `pg_aggregate` row (`AGGREGATE public.total(integer) (SFUNC = …, STYPE = …)`).
   */
  definition: string;
  comment: string | null;
}

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

// ─── Identities ─────────────────────────────────────────────────────────────────────────────────────────────

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/**
 * The identity of an object as used for snapshot keys and difference objects: its name parts joined by dots,
 * each part double-quoted only when it would otherwise be ambiguous (upper case, dots, spaces…), so that
 * `public.users.email` reads naturally and `public."Order Items"` cannot collide with anything else.
 */
export function qualifiedName(...parts: string[]): string {
  return parts.map((part) => (PLAIN_IDENTIFIER.test(part) ? part : `"${part.replace(/"/g, '""')}"`)).join('.');
}

/** A function's snapshot key: `schema.name(identity arguments)` (changes/sql.ts functionIdentity is the parsed reference). */
export function functionKey(schema: string, name: string, identityArguments: string): string {
  return `${qualifiedName(schema, name)}(${identityArguments})`;
}

// ─── Reading ────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Settings under which the catalog is read, so that deparsed text does not depend on the caller's session:
 * an empty search_path makes every user object schema-qualified (`public.users`, `public.mood`), and the
 * output styles fix how constants in defaults and expressions are printed. Restored afterwards.
 */
const READING_SETTINGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['search_path', ''],
  ['DateStyle', 'ISO, MDY'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
];

/**
 * Reads the schema of the database `db` (one session) is connected to. Runs only `SELECT`s (safe in a `READ ONLY`
 * transaction), and can run inside the caller's transaction, e.g. to snapshot a rehearsal before rolling it back.
 */
export async function readSchemaSnapshot(db: Queryable, options: ReadSchemaSnapshotOptions = {}): Promise<SchemaSnapshot> {
  const serverVersion = await readServerVersion(db);
  const withPrivileges = options.privileges ?? true;
  const previousSettings = await applyReadingSettings(db);
  try {
    const schemas = await readSchemas(db, options.schemas, withPrivileges);
    const inScope = Object.keys(schemas);
    const columnsByRelation = await readColumns(db, inScope, serverVersion, withPrivileges);
    const types = await readTypes(db, inScope, serverVersion, columnsByRelation, withPrivileges);
    const relations = await readRelations(db, inScope, columnsByRelation, withPrivileges);
    return {
      schemas,
      extensions: await readExtensions(db),
      ...types,
      sequences: await readSequences(db, inScope, withPrivileges),
      ...relations,
      indexes: await readIndexes(db, inScope),
      constraints: await readConstraints(db, inScope),
      triggers: await readTriggers(db, inScope),
      rules: await readTableRules(db, inScope),
      policies: await readPolicies(db, inScope),
      functions: await readFunctions(db, inScope, withPrivileges),
    };
  } finally {
    await restoreSettings(db, previousSettings);
  }
}

async function readServerVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `SELECT current_setting('server_version_num')::int AS version`,
  );
  const version = rows[0]?.version ?? 0;
  if (version < MINIMUM_SERVER_VERSION) {
    throw new Error(`reading a schema snapshot needs PostgreSQL 13 or later (server_version_num ${version})`);
  }
  return version;
}

async function applyReadingSettings(db: Queryable): Promise<Array<readonly [string, string]>> {
  const names = READING_SETTINGS.map(([name]) => name);
  const { rows } = await db.query<{ name: string; value: string }>(
    `SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name`,
    [names],
  );
  await setSettings(db, READING_SETTINGS);
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
  await db.query(`SELECT set_config(name, value, false) FROM unnest($1::text[], $2::text[]) AS s(name, value)`, [
    settings.map(([name]) => name),
    settings.map(([, value]) => value),
  ]);
}

// SQL fragments shared by the queries.

/** True when the object is not a member of an extension (those are the extension's, not the schema's). */
function notInExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend AS member
    WHERE member.classid = '${catalog}'::regclass AND member.objid = ${oid} AND member.deptype = 'e')`;
}

/**
 * The `owner` and `privileges` columns of an object. `aclKind` is acldefault's object type ('r' relation,
 * 's' sequence, 'f' function, 'T' type, 'n' schema).
 */
function ownershipColumns(withPrivileges: boolean, ownerOid: string, acl: string, aclKind: string): string {
  if (!withPrivileges) return `NULL::text AS owner, ARRAY[]::text[] AS privileges`;
  return `pg_get_userbyid(${ownerOid})::text AS owner,
    ARRAY(SELECT item::text FROM unnest(coalesce(${acl}, acldefault('${aclKind}', ${ownerOid}))) AS item ORDER BY 1)
      AS privileges`;
}

interface OwnershipRow {
  owner: string | null;
  privileges: string[];
}

function ownershipOf(row: OwnershipRow): Ownership {
  return { owner: row.owner, privileges: row.privileges };
}

/** A possibly schema-qualified name in SQL syntax (as Postgres would print it), for values, not keys. */
function sqlQualifiedName(schema: string, name: string): string {
  return `CASE WHEN ${schema} = 'pg_catalog' THEN quote_ident(${name})
    ELSE quote_ident(${schema}) || '.' || quote_ident(${name}) END`;
}

/** The name of a collation that differs from a type's default collation, else NULL. */
function nonDefaultCollation(collationOid: string, typeCollationOid: string): string {
  return `(SELECT ${sqlQualifiedName('coll_ns.nspname', 'coll.collname')}
    FROM pg_collation AS coll JOIN pg_namespace AS coll_ns ON coll_ns.oid = coll.collnamespace
    WHERE coll.oid = ${collationOid} AND ${collationOid} <> 0 AND ${collationOid} <> ${typeCollationOid})`;
}

/** A function reference (regproc) as `schema.name(argument types)`, NULL for none. */
function functionReference(regproc: string): string {
  return `CASE WHEN ${regproc} = 0 THEN NULL ELSE ${regproc}::regprocedure::text END`;
}

const EXCLUDED_SCHEMAS_CONDITION = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

async function readSchemas(
  db: Queryable,
  requested: string[] | undefined,
  withPrivileges: boolean,
): Promise<Record<string, SchemaInfo>> {
  const { rows } = await db.query<{ name: string; comment: string | null } & OwnershipRow>(
    `SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment,
       ${ownershipColumns(withPrivileges, 'n.nspowner', 'n.nspacl', 'n')}
     FROM pg_namespace AS n
     WHERE ${requested ? 'n.nspname = ANY($1::text[])' : EXCLUDED_SCHEMAS_CONDITION}
       AND ${notInExtension('pg_namespace', 'n.oid')}`,
    requested ? [requested] : [],
  );
  return toRecord(rows.map((row) => [row.name, { name: row.name, ...ownershipOf(row), comment: row.comment }]));
}

async function readExtensions(db: Queryable): Promise<Record<string, ExtensionInfo>> {
  const { rows } = await db.query<ExtensionInfo>(
    `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
     FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace`,
  );
  return toRecord(rows.map((row) => [row.name, { name: row.name, version: row.version, schema: row.schema }]));
}

// Columns of tables, views, materialized views and composite types, read once and handed to their owners.

type ColumnsByRelation = Map<string, ColumnInfo[]>;

interface ColumnRow {
  schema: string;
  relation: string;
  name: string;
  position: number;
  type: string;
  not_null: boolean;
  default_expression: string | null;
  generation_expression: string | null;
  generated_kind: string;
  identity: string;
  collation: string | null;
  storage: string | null;
  compression: string;
  privileges: string[];
  comment: string | null;
}

async function readColumns(
  db: Queryable,
  schemas: string[],
  serverVersion: number,
  withPrivileges: boolean,
): Promise<ColumnsByRelation> {
  // attcompression exists from PostgreSQL 14.
  const compression = serverVersion >= 140000 ? 'a.attcompression::text' : `''`;
  const { rows } = await db.query<ColumnRow>(
    `SELECT n.nspname AS schema, c.relname AS relation, a.attname AS name, -- Rank among live columns (what SELECT * shows), not attnum: dropped columns leave gaps in attnum.
       row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)::int AS position,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default_expression,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
       a.attgenerated::text AS generated_kind,
       a.attidentity::text AS identity,
       ${nonDefaultCollation('a.attcollation', 't.typcollation')} AS collation,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       ${compression} AS compression,
       ${withPrivileges ? 'ARRAY(SELECT item::text FROM unnest(a.attacl) AS item ORDER BY 1)' : 'ARRAY[]::text[]'} AS privileges,
       col_description(c.oid, a.attnum) AS comment
     FROM pg_attribute AS a
     JOIN pg_class AS c ON c.oid = a.attrelid
     JOIN pg_namespace AS n ON n.oid = c.relnamespace
     JOIN pg_type AS t ON t.oid = a.atttypid
     LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
       AND n.nspname = ANY($1::text[])
       AND ${notInExtension('pg_class', 'c.oid')} AND ${notInExtension('pg_type', 'c.reltype')}
     ORDER BY n.nspname, c.relname, a.attnum`,
    [schemas],
  );
  const byRelation: ColumnsByRelation = new Map();
  for (const row of rows) {
    const key = qualifiedName(row.schema, row.relation);
    const columns = byRelation.get(key) ?? [];
    columns.push(toColumn(row));
    byRelation.set(key, columns);
  }
  return byRelation;
}

const IDENTITY_KINDS: Record<string, ColumnInfo['identity']> = { a: 'always', d: 'by default' };
const GENERATED_KINDS: Record<string, string> = { s: 'STORED', v: 'VIRTUAL' };
const STORAGE_KINDS: Record<string, NonNullable<ColumnInfo['storage']>> = {
  p: 'plain',
  e: 'external',
  x: 'extended',
  m: 'main',
};
const COMPRESSION_METHODS: Record<string, NonNullable<ColumnInfo['compression']>> = { p: 'pglz', l: 'lz4' };

function toColumn(row: ColumnRow): ColumnInfo {
  const generatedKind = GENERATED_KINDS[row.generated_kind] ?? (row.generated_kind ? `attgenerated ${row.generated_kind}` : null);
  return {
    name: row.name,
    position: row.position,
    type: row.type,
    notNull: row.not_null,
    default: row.default_expression,
    identity: IDENTITY_KINDS[row.identity] ?? null,
    generated: generatedKind ? `${row.generation_expression ?? ''} ${generatedKind}`.trim() : null,
    collation: row.collation,
    storage: row.storage ? (STORAGE_KINDS[row.storage] ?? null) : null,
    compression: COMPRESSION_METHODS[row.compression] ?? null,
    privileges: row.privileges,
    comment: row.comment,
  };
}

function columnsRecord(columns: ColumnInfo[] | undefined): Record<string, ColumnInfo> {
  return toRecord((columns ?? []).map((column) => [column.name, column]));
}

// Types.

interface TypeRow extends OwnershipRow {
  schema: string;
  name: string;
  type_kind: string;
  defined: boolean;
  comment: string | null;
  enum_labels: string[] | null;
  domain_base_type: string | null;
  domain_not_null: boolean;
  domain_default: string | null;
  domain_collation: string | null;
  range_subtype: string | null;
  range_operator_class: string | null;
  range_collation: string | null;
  range_canonical: string | null;
  range_subtype_diff: string | null;
  range_multirange: string | null;
  base_input: string | null;
  base_output: string | null;
  base_receive: string | null;
  base_send: string | null;
  base_length: number;
  base_by_value: boolean;
  base_alignment: string;
  base_storage: string;
  base_category: string;
}

interface DomainConstraintRow {
  schema: string;
  domain: string;
  name: string;
  definition: string;
  validated: boolean;
  comment: string | null;
}

type TypeMaps = Pick<SchemaSnapshot, 'enums' | 'compositeTypes' | 'domains' | 'rangeTypes' | 'baseTypes'>;

async function readTypes(
  db: Queryable,
  schemas: string[],
  serverVersion: number,
  columnsByRelation: ColumnsByRelation,
  withPrivileges: boolean,
): Promise<TypeMaps> {
  // Multirange types exist from PostgreSQL 14.
  const multirange = serverVersion >= 140000 ? 'format_type(r.rngmultitypid, NULL)' : 'NULL::text';
  const { rows } = await db.query<TypeRow>(
    `SELECT n.nspname AS schema, t.typname AS name, t.typtype::text AS type_kind, t.typisdefined AS defined,
       obj_description(t.oid, 'pg_type') AS comment,
       ${ownershipColumns(withPrivileges, 't.typowner', 't.typacl', 'T')},
       CASE WHEN t.typtype = 'e' THEN ARRAY(
         SELECT e.enumlabel::text FROM pg_enum AS e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS enum_labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS domain_base_type,
       t.typnotnull AS domain_not_null,
       t.typdefault AS domain_default,
       CASE WHEN t.typtype = 'd' THEN ${nonDefaultCollation('t.typcollation', 'base.typcollation')} END AS domain_collation,
       format_type(r.rngsubtype, NULL) AS range_subtype,
       (SELECT ${sqlQualifiedName('opc_ns.nspname', 'opc.opcname')}
          FROM pg_opclass AS opc JOIN pg_namespace AS opc_ns ON opc_ns.oid = opc.opcnamespace
          WHERE opc.oid = r.rngsubopc) AS range_operator_class,
       (SELECT ${sqlQualifiedName('coll_ns.nspname', 'coll.collname')}
          FROM pg_collation AS coll JOIN pg_namespace AS coll_ns ON coll_ns.oid = coll.collnamespace
          WHERE coll.oid = r.rngcollation) AS range_collation,
       ${functionReference('r.rngcanonical')} AS range_canonical,
       ${functionReference('r.rngsubdiff')} AS range_subtype_diff,
       ${multirange} AS range_multirange,
       ${functionReference('t.typinput')} AS base_input,
       ${functionReference('t.typoutput')} AS base_output,
       ${functionReference('t.typreceive')} AS base_receive,
       ${functionReference('t.typsend')} AS base_send,
       t.typlen::int AS base_length,
       t.typbyval AS base_by_value,
       t.typalign::text AS base_alignment,
       t.typstorage::text AS base_storage,
       t.typcategory::text AS base_category
     FROM pg_type AS t
     JOIN pg_namespace AS n ON n.oid = t.typnamespace
     LEFT JOIN pg_type AS base ON base.oid = t.typbasetype
     LEFT JOIN pg_range AS r ON r.rngtypid = t.oid
     WHERE n.nspname = ANY($1::text[])
       AND ${notInExtension('pg_type', 't.oid')}
       -- Types a table, view or sequence implies are not objects of their own; free-standing composites are.
       AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class AS c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
       -- Neither are the array types every type gets, nor the multirange types ranges get (read with the range).
       AND NOT EXISTS (SELECT 1 FROM pg_type AS element WHERE element.oid = t.typelem AND element.typarray = t.oid)
       AND t.typtype <> 'm'`,
    [schemas],
  );
  const domainConstraints = await readDomainConstraints(db, schemas);

  const enums: Array<[string, EnumTypeInfo]> = [];
  const compositeTypes: Array<[string, CompositeTypeInfo]> = [];
  const domains: Array<[string, DomainInfo]> = [];
  const rangeTypes: Array<[string, RangeTypeInfo]> = [];
  const baseTypes: Array<[string, BaseTypeInfo]> = [];
  for (const row of rows) {
    const key = qualifiedName(row.schema, row.name);
    const common = { schema: row.schema, name: row.name, ...ownershipOf(row) };
    switch (row.type_kind) {
      case 'e':
        enums.push([key, { ...common, labels: row.enum_labels ?? [], comment: row.comment }]);
        break;
      case 'c':
        compositeTypes.push([
          key,
          {
            ...common,
            attributes: (columnsByRelation.get(key) ?? []).map((column) => ({
              name: column.name,
              type: column.type,
              collation: column.collation,
              comment: column.comment,
            })),
            comment: row.comment,
          },
        ]);
        break;
      case 'd':
        domains.push([
          key,
          {
            ...common,
            baseType: row.domain_base_type ?? '',
            notNull: row.domain_not_null,
            default: row.domain_default,
            collation: row.domain_collation,
            constraints: toRecord(
              (domainConstraints.get(key) ?? []).map((constraint) => [
                constraint.name,
                {
                  name: constraint.name,
                  definition: constraint.definition,
                  validated: constraint.validated,
                  comment: constraint.comment,
                },
              ]),
            ),
            comment: row.comment,
          },
        ]);
        break;
      case 'r':
        rangeTypes.push([
          key,
          {
            ...common,
            subtype: row.range_subtype ?? '',
            subtypeOperatorClass: row.range_operator_class ?? '',
            collation: row.range_collation,
            canonicalFunction: row.range_canonical,
            subtypeDiffFunction: row.range_subtype_diff,
            multirangeType: row.range_multirange,
            comment: row.comment,
          },
        ]);
        break;
      default:
        // 'b' (base) and 'p' (pseudo: a shell type is one until it is defined).
        baseTypes.push([
          key,
          {
            ...common,
            shell: !row.defined,
            inputFunction: row.base_input,
            outputFunction: row.base_output,
            receiveFunction: row.base_receive,
            sendFunction: row.base_send,
            internalLength: row.base_length,
            passedByValue: row.base_by_value,
            alignment: row.base_alignment,
            storage: row.base_storage,
            category: row.base_category,
            comment: row.comment,
          },
        ]);
    }
  }
  return {
    enums: toRecord(enums),
    compositeTypes: toRecord(compositeTypes),
    domains: toRecord(domains),
    rangeTypes: toRecord(rangeTypes),
    baseTypes: toRecord(baseTypes),
  };
}

async function readDomainConstraints(db: Queryable, schemas: string[]): Promise<Map<string, DomainConstraintRow[]>> {
  const { rows } = await db.query<DomainConstraintRow>(
    `SELECT n.nspname AS schema, t.typname AS domain, con.conname AS name,
       pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment
     FROM pg_constraint AS con
     JOIN pg_type AS t ON t.oid = con.contypid
     JOIN pg_namespace AS n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY($1::text[])
       -- From PostgreSQL 17 a domain's NOT NULL is also a constraint row; it is the domain's notNull already.
       AND con.contype <> 'n'
       AND ${notInExtension('pg_type', 't.oid')}`,
    [schemas],
  );
  return groupBy(rows, (row) => qualifiedName(row.schema, row.domain));
}

// Tables, views and materialized views.

interface RelationRow extends OwnershipRow {
  schema: string;
  name: string;
  relation_kind: string;
  persistence: string;
  partition_key: string | null;
  partition_of: [string, string] | null;
  partition_bound: string | null;
  inherits: Array<[string, string]> | null;
  row_level_security: boolean;
  force_row_level_security: boolean;
  options: string[];
  tablespace: string | null;
  access_method: string | null;
  replica_identity: string;
  foreign_server: string | null;
  foreign_options: string[] | null;
  view_definition: string | null;
  populated: boolean;
  comment: string | null;
}

type RelationMaps = Pick<SchemaSnapshot, 'tables' | 'views' | 'materializedViews'>;

const TABLE_KINDS: Record<string, TableInfo['kind']> = { r: 'table', p: 'partitioned table', f: 'foreign table' };
const PERSISTENCES: Record<string, Persistence> = { p: 'permanent', u: 'unlogged', t: 'temporary' };
const REPLICA_IDENTITIES: Record<string, TableInfo['replicaIdentity']> = {
  d: 'default',
  n: 'nothing',
  f: 'full',
  i: 'index',
};

async function readRelations(
  db: Queryable,
  schemas: string[],
  columnsByRelation: ColumnsByRelation,
  withPrivileges: boolean,
): Promise<RelationMaps> {
  const { rows } = await db.query<RelationRow>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relation_kind,
       c.relpersistence::text AS persistence,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       (SELECT json_build_array(parent_ns.nspname, parent.relname)
          FROM pg_inherits AS i
          JOIN pg_class AS parent ON parent.oid = i.inhparent
          JOIN pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT json_agg(json_build_array(parent_ns.nspname, parent.relname) ORDER BY i.inhseqno)
          FROM pg_inherits AS i
          JOIN pg_class AS parent ON parent.oid = i.inhparent
          JOIN pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE i.inhrelid = c.oid AND NOT c.relispartition) AS inherits,
       c.relrowsecurity AS row_level_security,
       c.relforcerowsecurity AS force_row_level_security,
       ARRAY(SELECT opt FROM unnest(c.reloptions) AS opt ORDER BY opt) AS options,
       ts.spcname AS tablespace,
       am.amname AS access_method,
       c.relreplident::text AS replica_identity,
       fs.srvname AS foreign_server,
       ARRAY(SELECT opt FROM unnest(ft.ftoptions) AS opt ORDER BY opt) AS foreign_options,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition,
       c.relispopulated AS populated,
       ${ownershipColumns(withPrivileges, 'c.relowner', 'c.relacl', 'r')},
       obj_description(c.oid, 'pg_class') AS comment
     FROM pg_class AS c
     JOIN pg_namespace AS n ON n.oid = c.relnamespace
     LEFT JOIN pg_tablespace AS ts ON ts.oid = c.reltablespace
     LEFT JOIN pg_am AS am ON am.oid = c.relam
     LEFT JOIN pg_foreign_table AS ft ON ft.ftrelid = c.oid
     LEFT JOIN pg_foreign_server AS fs ON fs.oid = ft.ftserver
     WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
       AND n.nspname = ANY($1::text[])
       AND ${notInExtension('pg_class', 'c.oid')}`,
    [schemas],
  );

  const tables: Array<[string, TableInfo]> = [];
  const views: Array<[string, ViewInfo]> = [];
  const materializedViews: Array<[string, MaterializedViewInfo]> = [];
  for (const row of rows) {
    const key = qualifiedName(row.schema, row.name);
    const columns = columnsRecord(columnsByRelation.get(key));
    if (row.relation_kind === 'v' || row.relation_kind === 'm') {
      const view: ViewInfo = {
        schema: row.schema,
        name: row.name,
        ...ownershipOf(row),
        definition: (row.view_definition ?? '').trim(),
        options: row.options,
        columns,
        comment: row.comment,
      };
      if (row.relation_kind === 'v') {
        views.push([key, view]);
      } else {
        materializedViews.push([
          key,
          { ...view, populated: row.populated, tablespace: row.tablespace, accessMethod: row.access_method },
        ]);
      }
      continue;
    }
    tables.push([
      key,
      {
        schema: row.schema,
        name: row.name,
        ...ownershipOf(row),
        kind: TABLE_KINDS[row.relation_kind] ?? 'table',
        persistence: PERSISTENCES[row.persistence] ?? 'permanent',
        partitionKey: row.partition_key,
        partitionOf: row.partition_of ? qualifiedName(...row.partition_of) : null,
        partitionBound: row.partition_bound,
        inherits: (row.inherits ?? []).map((parent) => qualifiedName(...parent)),
        rowLevelSecurity: row.row_level_security,
        forceRowLevelSecurity: row.force_row_level_security,
        options: row.options,
        tablespace: row.tablespace,
        accessMethod: row.access_method,
        replicaIdentity: REPLICA_IDENTITIES[row.replica_identity] ?? 'default',
        foreignServer: row.foreign_server,
        foreignOptions: row.foreign_options ?? [],
        columns,
        comment: row.comment,
      },
    ]);
  }
  return { tables: toRecord(tables), views: toRecord(views), materializedViews: toRecord(materializedViews) };
}

// Sequences.

interface SequenceRow extends OwnershipRow {
  schema: string;
  name: string;
  data_type: string;
  start: string;
  increment: string;
  min_value: string;
  max_value: string;
  cache: string;
  cycle: boolean;
  persistence: string;
  owned_by: [string, string, string] | null;
  comment: string | null;
}

async function readSequences(
  db: Queryable,
  schemas: string[],
  withPrivileges: boolean,
): Promise<Record<string, SequenceInfo>> {
  const { rows } = await db.query<SequenceRow>(
    `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min_value, s.seqmax::text AS max_value, s.seqcache::text AS cache, s.seqcycle AS cycle,
       c.relpersistence::text AS persistence,
       -- 'a': OWNED BY (serial), 'i': the sequence of an identity column.
       (SELECT json_build_array(owner_ns.nspname, owner.relname, owner_column.attname)
          FROM pg_depend AS d
          JOIN pg_class AS owner ON owner.oid = d.refobjid
          JOIN pg_namespace AS owner_ns ON owner_ns.oid = owner.relnamespace
          JOIN pg_attribute AS owner_column ON owner_column.attrelid = owner.oid AND owner_column.attnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          LIMIT 1) AS owned_by,
       ${ownershipColumns(withPrivileges, 'c.relowner', 'c.relacl', 's')},
       obj_description(c.oid, 'pg_class') AS comment
     FROM pg_sequence AS s
     JOIN pg_class AS c ON c.oid = s.seqrelid
     JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND ${notInExtension('pg_class', 'c.oid')}`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.name),
      {
        schema: row.schema,
        name: row.name,
        ...ownershipOf(row),
        dataType: row.data_type,
        start: row.start,
        increment: row.increment,
        minValue: row.min_value,
        maxValue: row.max_value,
        cache: row.cache,
        cycle: row.cycle,
        persistence: PERSISTENCES[row.persistence] ?? 'permanent',
        ownedBy: row.owned_by ? qualifiedName(...row.owned_by) : null,
        comment: row.comment,
      },
    ]),
  );
}

// Indexes, constraints, triggers, policies: all hang off a relation in scope that no extension owns.

function ownedByRelationInScope(relationAlias: string): string {
  return `${relationAlias}_ns.nspname = ANY($1::text[]) AND ${notInExtension('pg_class', `${relationAlias}.oid`)}`;
}

interface IndexRow {
  schema: string;
  name: string;
  table_schema: string;
  table_name: string;
  definition: string;
  constraint_name: string | null;
  valid: boolean;
  clustered: boolean;
  replica_identity: boolean;
  tablespace: string | null;
  partition_of: [string, string] | null;
  comment: string | null;
}

async function readIndexes(db: Queryable, schemas: string[]): Promise<Record<string, IndexInfo>> {
  const { rows } = await db.query<IndexRow>(
    `SELECT n.nspname AS schema, ic.relname AS name, rel_ns.nspname AS table_schema, rel.relname AS table_name,
       pg_get_indexdef(i.indexrelid) AS definition,
       (SELECT con.conname FROM pg_constraint AS con
          WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
          LIMIT 1) AS constraint_name,
       i.indisvalid AS valid, i.indisclustered AS clustered, i.indisreplident AS replica_identity,
       ts.spcname AS tablespace,
       (SELECT json_build_array(parent_ns.nspname, parent.relname)
          FROM pg_inherits AS inh
          JOIN pg_class AS parent ON parent.oid = inh.inhparent
          JOIN pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE inh.inhrelid = i.indexrelid) AS partition_of,
       obj_description(i.indexrelid, 'pg_class') AS comment
     FROM pg_index AS i
     JOIN pg_class AS ic ON ic.oid = i.indexrelid
     JOIN pg_namespace AS n ON n.oid = ic.relnamespace
     JOIN pg_class AS rel ON rel.oid = i.indrelid
     JOIN pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     LEFT JOIN pg_tablespace AS ts ON ts.oid = ic.reltablespace
     WHERE ${ownedByRelationInScope('rel')}`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.name),
      {
        schema: row.schema,
        name: row.name,
        table: qualifiedName(row.table_schema, row.table_name),
        definition: row.definition,
        constraint: row.constraint_name,
        valid: row.valid,
        clustered: row.clustered,
        replicaIdentity: row.replica_identity,
        tablespace: row.tablespace,
        partitionOf: row.partition_of ? qualifiedName(...row.partition_of) : null,
        comment: row.comment,
      },
    ]),
  );
}

interface ConstraintRow {
  schema: string;
  table_name: string;
  name: string;
  constraint_type: string;
  definition: string;
  deferrable: boolean;
  initially_deferred: boolean;
  validated: boolean;
  comment: string | null;
}

const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  p: 'primary key',
  u: 'unique',
  c: 'check',
  f: 'foreign key',
  x: 'exclusion',
};

async function readConstraints(db: Queryable, schemas: string[]): Promise<Record<string, ConstraintInfo>> {
  const { rows } = await db.query<ConstraintRow>(
    `SELECT rel_ns.nspname AS schema, rel.relname AS table_name, con.conname AS name,
       con.contype::text AS constraint_type, pg_get_constraintdef(con.oid) AS definition,
       con.condeferrable AS deferrable, con.condeferred AS initially_deferred, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment
     FROM pg_constraint AS con
     JOIN pg_class AS rel ON rel.oid = con.conrelid
     JOIN pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       -- NOT NULL constraint rows (PostgreSQL 18) are the columns' notNull; constraint triggers are triggers.
       AND con.contype NOT IN ('n', 't')
       -- A foreign key referencing a partitioned table gets one extra row per referenced partition on the
       -- same table: an implementation detail of the one constraint declared.
       AND NOT EXISTS (SELECT 1 FROM pg_constraint AS parent
         WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.table_name, row.name),
      {
        schema: row.schema,
        table: qualifiedName(row.schema, row.table_name),
        name: row.name,
        type: CONSTRAINT_TYPES[row.constraint_type] ?? `contype ${row.constraint_type}`,
        definition: row.definition,
        deferrable: row.deferrable,
        initiallyDeferred: row.initially_deferred,
        validated: row.validated,
        comment: row.comment,
      },
    ]),
  );
}

interface TriggerRow {
  schema: string;
  table_name: string;
  name: string;
  definition: string;
  enabled: string;
  comment: string | null;
}

const TRIGGER_ENABLED: Record<string, TriggerInfo['enabled']> = {
  O: 'origin',
  R: 'replica',
  A: 'always',
  D: 'disabled',
};

async function readTriggers(db: Queryable, schemas: string[]): Promise<Record<string, TriggerInfo>> {
  const { rows } = await db.query<TriggerRow>(
    `SELECT rel_ns.nspname AS schema, rel.relname AS table_name, t.tgname AS name,
       pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled,
       obj_description(t.oid, 'pg_trigger') AS comment
     FROM pg_trigger AS t
     JOIN pg_class AS rel ON rel.oid = t.tgrelid
     JOIN pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       AND NOT t.tgisinternal
       -- Clones of a partitioned table's trigger on its partitions follow from the parent's trigger.
       AND t.tgparentid = 0`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.table_name, row.name),
      {
        schema: row.schema,
        table: qualifiedName(row.schema, row.table_name),
        name: row.name,
        definition: row.definition,
        enabled: TRIGGER_ENABLED[row.enabled] ?? 'origin',
        comment: row.comment,
      },
    ]),
  );
}

async function readTableRules(db: Queryable, schemas: string[]): Promise<Record<string, TableRuleInfo>> {
  const { rows } = await db.query<{ schema: string; table_name: string; name: string; definition: string; enabled: string }>(
    `SELECT rel_ns.nspname AS schema, rel.relname AS table_name, r.rulename AS name,
       pg_get_ruledef(r.oid) AS definition, r.ev_enabled::text AS enabled
     FROM pg_rewrite AS r
     JOIN pg_class AS rel ON rel.oid = r.ev_class
     JOIN pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       AND r.rulename <> '_RETURN'`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.table_name, row.name),
      {
        schema: row.schema,
        table: qualifiedName(row.schema, row.table_name),
        name: row.name,
        definition: row.definition,
        enabled: TRIGGER_ENABLED[row.enabled] ?? 'origin',
      },
    ]),
  );
}

interface PolicyRow {
  schema: string;
  table_name: string;
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using_expression: string | null;
  check_expression: string | null;
  comment: string | null;
}

const POLICY_COMMANDS: Record<string, PolicyInfo['command']> = {
  '*': 'ALL',
  r: 'SELECT',
  a: 'INSERT',
  w: 'UPDATE',
  d: 'DELETE',
};

async function readPolicies(db: Queryable, schemas: string[]): Promise<Record<string, PolicyInfo>> {
  const { rows } = await db.query<PolicyRow>(
    `SELECT rel_ns.nspname AS schema, rel.relname AS table_name, p.polname AS name,
       p.polcmd::text AS command, p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN role_oid = 0 THEN 'public' ELSE pg_get_userbyid(role_oid)::text END
             FROM unnest(p.polroles) AS role_oid ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expression,
       pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression,
       obj_description(p.oid, 'pg_policy') AS comment
     FROM pg_policy AS p
     JOIN pg_class AS rel ON rel.oid = p.polrelid
     JOIN pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => [
      qualifiedName(row.schema, row.table_name, row.name),
      {
        schema: row.schema,
        table: qualifiedName(row.schema, row.table_name),
        name: row.name,
        command: POLICY_COMMANDS[row.command] ?? 'ALL',
        permissive: row.permissive,
        roles: row.roles,
        using: row.using_expression,
        withCheck: row.check_expression,
        comment: row.comment,
      },
    ]),
  );
}

// Functions, procedures, aggregates.

interface FunctionRow extends OwnershipRow {
  schema: string;
  name: string;
  identity_arguments: string;
  function_kind: string;
  definition: string | null;
  aggregate: Record<string, string | number | boolean | null> | null;
  comment: string | null;
}

const FUNCTION_KINDS: Record<string, FunctionInfo['kind']> = {
  f: 'function',
  p: 'procedure',
  a: 'aggregate',
  w: 'window',
};

async function readFunctions(
  db: Queryable,
  schemas: string[],
  withPrivileges: boolean,
): Promise<Record<string, FunctionInfo>> {
  const { rows } = await db.query<FunctionRow>(
    `SELECT n.nspname AS schema, p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       p.prokind::text AS function_kind,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       CASE WHEN p.prokind = 'a' THEN json_build_object(
         'SFUNC', ${functionReference('ag.aggtransfn')},
         'STYPE', format_type(ag.aggtranstype, NULL),
         'SSPACE', NULLIF(ag.aggtransspace, 0),
         'FINALFUNC', ${functionReference('ag.aggfinalfn')},
         'FINALFUNC_EXTRA', NULLIF(ag.aggfinalextra, false),
         'FINALFUNC_MODIFY', ag.aggfinalmodify::text,
         'COMBINEFUNC', ${functionReference('ag.aggcombinefn')},
         'SERIALFUNC', ${functionReference('ag.aggserialfn')},
         'DESERIALFUNC', ${functionReference('ag.aggdeserialfn')},
         'INITCOND', ag.agginitval,
         'MSFUNC', ${functionReference('ag.aggmtransfn')},
         'MINVFUNC', ${functionReference('ag.aggminvtransfn')},
         'MSTYPE', CASE WHEN ag.aggmtranstype <> 0 THEN format_type(ag.aggmtranstype, NULL) END,
         'MSSPACE', NULLIF(ag.aggmtransspace, 0),
         'MFINALFUNC', ${functionReference('ag.aggmfinalfn')},
         'MFINALFUNC_EXTRA', NULLIF(ag.aggmfinalextra, false),
         'MFINALFUNC_MODIFY', ag.aggmfinalmodify::text,
         'MINITCOND', ag.aggminitval,
         'SORTOP', CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::regoperator::text END,
         'KIND', ag.aggkind::text,
         'DIRECT_ARGUMENTS', NULLIF(ag.aggnumdirectargs, 0)
       ) END AS aggregate,
       ${ownershipColumns(withPrivileges, 'p.proowner', 'p.proacl', 'f')},
       obj_description(p.oid, 'pg_proc') AS comment
     FROM pg_proc AS p
     JOIN pg_namespace AS n ON n.oid = p.pronamespace
     LEFT JOIN pg_aggregate AS ag ON ag.aggfnoid = p.oid
     WHERE n.nspname = ANY($1::text[])
       AND ${notInExtension('pg_proc', 'p.oid')}
       -- Functions a type implies (the constructors of a range or multirange type) are part of that type.
       AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
         WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`,
    [schemas],
  );
  return toRecord(
    rows.map((row) => {
      const identity = functionKey(row.schema, row.name, row.identity_arguments);
      const definition =
        row.definition !== null ? row.definition.trim() : describeAggregate(identity, row.aggregate ?? {});
      return [
        identity,
        {
          schema: row.schema,
          name: row.name,
          ...ownershipOf(row),
          identityArguments: row.identity_arguments,
          kind: FUNCTION_KINDS[row.function_kind] ?? 'function',
          definition,
          comment: row.comment,
        },
      ];
    }),
  );
}

/** Lists an aggregate's catalog row in `CREATE AGGREGATE` option names (defaults left out). */
function describeAggregate(identity: string, fields: Record<string, string | number | boolean | null>): string {
  const defaults: Record<string, string> = { FINALFUNC_MODIFY: 'r', MFINALFUNC_MODIFY: 'r', KIND: 'n' };
  const options = Object.entries(fields)
    .filter(([name, value]) => value !== null && value !== false && String(value) !== defaults[name])
    .map(([name, value]) =>
      name === 'INITCOND' || name === 'MINITCOND'
        ? `${name} = ${quoteLiteral(String(value))}`
        : `${name} = ${String(value)}`,
    );
  return `AGGREGATE ${identity} (${options.join(', ')})`;
}

// ─── Small helpers ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * Builds a map whose keys are in sorted order (so JSON output is stable too). Two objects with the same
 * identity would make the snapshot lossy, which must never pass silently.
 */
function toRecord<T>(entries: Array<[string, T]>): Record<string, T> {
  const sorted = [...entries].sort(([a], [b]) => compareKeys(a, b));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1]?.[0] === sorted[i]?.[0]) {
      throw new Error(`schema snapshot: two catalog objects share the identity ${sorted[i]?.[0]}`);
    }
  }
  // Object.fromEntries defines own properties, so even a column called "__proto__" is stored as data.
  return Object.fromEntries(sorted);
}

/** Code-point order: independent of the locale the process runs in. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return groups;
}
