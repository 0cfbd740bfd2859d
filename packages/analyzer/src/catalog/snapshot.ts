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

/** Code-point order: independent of the locale the process runs in. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
