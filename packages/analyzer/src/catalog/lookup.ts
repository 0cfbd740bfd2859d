/**
 * Pure look-ups in a schema snapshot, by the names a migration uses. The rules use them to complete a
 * rollback from the schema as it was before the migration (the old type, the dropped index's definition…).
 */
import { serverQuotedName } from '../sql/quote.js';
import type { QualifiedName } from '../sql/name.js';
import {
  qualifiedName,
  type ColumnInfo,
  type ConstraintInfo,
  type FunctionInfo,
  type IndexInfo,
  type SchemaSnapshot,
  type TableInfo,
  type ViewInfo,
} from './snapshot.js';

const key = (name: QualifiedName) => qualifiedName(name.schema, name.name);

export function findTable(prior: SchemaSnapshot, table: QualifiedName): TableInfo | undefined {
  return prior.tables[key(table)];
}

/** A column of a table, view or materialized view. */
export function findColumn(prior: SchemaSnapshot, table: QualifiedName, column: string): ColumnInfo | undefined {
  const relation = prior.tables[key(table)] ?? prior.views[key(table)] ?? prior.materializedViews[key(table)];
  return relation?.columns[column];
}

export function findIndex(prior: SchemaSnapshot, index: QualifiedName): IndexInfo | undefined {
  return prior.indexes[key(index)];
}

export function findConstraint(prior: SchemaSnapshot, table: QualifiedName, name: string): ConstraintInfo | undefined {
  return prior.constraints[qualifiedName(table.schema, table.name, name)];
}

export function findView(prior: SchemaSnapshot, view: QualifiedName): { info: ViewInfo; materialized: boolean } | undefined {
  const plain = prior.views[key(view)];
  if (plain) return { info: plain, materialized: false };
  const materialized = prior.materializedViews[key(view)];
  return materialized ? { info: materialized, materialized: true } : undefined;
}

/**
 * The function with this name whose identity arguments have these types (`a integer, b text` matches
 * [integer, text]); with `argumentTypes` undefined, the only function of that name.
 */
export function findFunction(prior: SchemaSnapshot, name: QualifiedName, argumentTypes: string[] | undefined): FunctionInfo | undefined {
  const candidates = Object.values(prior.functions).filter((fn) => fn.schema === name.schema && fn.name === name.name);
  if (argumentTypes === undefined) return candidates.length === 1 ? candidates[0] : undefined;
  return candidates.find((fn) => sameArgumentTypes(fn.identityArguments, argumentTypes));
}

function sameArgumentTypes(identityArguments: string, types: string[]): boolean {
  // Identity arguments never carry type modifiers, so a comma always separates arguments.
  const parts = identityArguments === '' ? [] : identityArguments.split(', ');
  if (parts.length !== types.length) return false;
  return parts.every((part, i) => {
    const type = stripModifiers(types[i] ?? '');
    const argument = part.replace(/^(IN|INOUT|VARIADIC) /, '');
    // The catalog is read with an empty search_path: a type the statement names unqualified (`"RateLimit"`)
    // shows schema-qualified there (`rate_limit public."RateLimit"`).
    const qualified = !type.includes('.') && (argument.endsWith(`.${type}`) && /(^| )[^ ]+\.[^ ]+$/.test(argument));
    return argument === type || argument.endsWith(` ${type}`) || qualified;
  });
}

function stripModifiers(type: string): string {
  return type.replace(/\([^)]*\)/g, '');
}

/**
 * Whether a routine of this name with as many arguments existed: when the argument types do not match exactly,
 * it may still be the same routine spelt differently, so "it did not exist" is never concluded from a mismatch.
 */
export function routineMayHaveExisted(prior: SchemaSnapshot, name: QualifiedName, argumentTypes: string[] | undefined): boolean {
  const candidates = Object.values(prior.functions).filter((fn) => fn.schema === name.schema && fn.name === name.name);
  if (argumentTypes === undefined) return candidates.length > 0;
  // Each type by its bare name: `public."RateLimit"` and `"RateLimit"` may be one type; `integer` and `text` are not.
  const bare = (type: string) => stripModifiers(type).replace(/^(IN|INOUT|VARIADIC) /, '').split(' ').pop()!.split('.').pop()!.replace(/^"|"$/g, '');
  return candidates.some((fn) => {
    const parts = fn.identityArguments === '' ? [] : fn.identityArguments.split(', ');
    return parts.length === argumentTypes.length && parts.every((part, i) => bare(part) === bare(argumentTypes[i] ?? ''));
  });
}

/** Whether an object of this kind and name exists (for IF NOT EXISTS, which may have done nothing). */
export function objectExists(prior: SchemaSnapshot, kind: string, name: QualifiedName | string): boolean {
  if (typeof name === 'string') {
    if (kind === 'extension') return name in prior.extensions;
    if (kind === 'schema') return name in prior.schemas;
    return false;
  }
  const k = key(name);
  switch (kind) {
    case 'table':
      return k in prior.tables;
    case 'sequence':
      return k in prior.sequences;
    case 'index':
      return k in prior.indexes;
    case 'view':
      return k in prior.views;
    case 'materialized view':
      return k in prior.materializedViews;
    case 'type':
      return k in prior.enums || k in prior.compositeTypes || k in prior.rangeTypes || k in prior.baseTypes;
    case 'domain':
      return k in prior.domains;
    default:
      return Object.values(prior.functions).some((fn) => fn.schema === name.schema && fn.name === name.name);
  }
}

/** Tables and columns whose type is this type (or an array of it): what a type change must rewrite. */
export function columnsOfType(prior: SchemaSnapshot, type: QualifiedName): Array<{ table: QualifiedName; column: ColumnInfo }> {
  const names = new Set([key(type), `${key(type)}[]`]);
  return Object.values(prior.tables).flatMap((table) =>
    Object.values(table.columns)
      .filter((column) => names.has(column.type))
      .map((column) => ({ table: { schema: table.schema, name: table.name }, column })),
  );
}

/** A table's constraints, indexes and triggers, for recreating it. */
export function relatedTo(prior: SchemaSnapshot, table: QualifiedName) {
  const tableKey = key(table);
  const prefix = `${tableKey}.`;
  return {
    constraints: Object.entries(prior.constraints).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v),
    indexes: Object.values(prior.indexes).filter((index) => index.table === tableKey),
    triggers: Object.entries(prior.triggers).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v),
  };
}

/** The table a constraint belongs to. */
export function tableOf(constraint: ConstraintInfo): QualifiedName {
  const table = constraint.table.slice(qualifiedName(constraint.schema).length + 1);
  return { schema: constraint.schema, name: table.startsWith('"') ? table.slice(1, -1).replace(/""/g, '"') : table };
}

/** Foreign keys of any table that reference a primary key or unique constraint's table. */
export function referencingForeignKeys(prior: SchemaSnapshot, table: QualifiedName, key: ConstraintInfo): ConstraintInfo[] {
  if (key.type !== 'primary key' && key.type !== 'unique') return [];
  const target = `REFERENCES ${serverQuotedName(table)}(`;
  return Object.values(prior.constraints).filter((constraint) => constraint.type === 'foreign key' && constraint.definition.includes(target));
}

/** An object a COMMENT ON or OWNER TO names. `member` is a column, or a constraint/trigger/policy of `name`. */
export interface PropertyLookup {
  objectType: string;
  name: QualifiedName;
  member?: string;
  argumentTypes?: string[] | undefined;
}

interface Described {
  comment: string | null;
  owner?: string | null;
}

function describedObject(prior: SchemaSnapshot, lookup: PropertyLookup): Described | undefined {
  const k = key(lookup.name);
  const member = lookup.member === undefined ? undefined : qualifiedName(lookup.name.schema, lookup.name.name, lookup.member);
  switch (lookup.objectType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE':
      return prior.tables[k];
    case 'OBJECT_VIEW':
      return prior.views[k];
    case 'OBJECT_MATVIEW':
      return prior.materializedViews[k];
    case 'OBJECT_SEQUENCE':
      return prior.sequences[k];
    case 'OBJECT_INDEX':
      return prior.indexes[k];
    case 'OBJECT_COLUMN':
      return lookup.member === undefined ? undefined : findColumn(prior, lookup.name, lookup.member);
    case 'OBJECT_TYPE':
      return prior.enums[k] ?? prior.compositeTypes[k] ?? prior.rangeTypes[k];
    case 'OBJECT_DOMAIN':
      return prior.domains[k];
    case 'OBJECT_SCHEMA':
      return prior.schemas[lookup.name.name];
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
      return findFunction(prior, lookup.name, lookup.argumentTypes);
    case 'OBJECT_TABCONSTRAINT':
      return member ? prior.constraints[member] : undefined;
    case 'OBJECT_TRIGGER':
      return member ? prior.triggers[member] : undefined;
    case 'OBJECT_POLICY':
      return member ? prior.policies[member] : undefined;
    default:
      return undefined;
  }
}

/** The object's comment before the migration (`null`: none), or undefined when the object is unknown. */
export function findComment(prior: SchemaSnapshot, lookup: PropertyLookup): { comment: string | null } | undefined {
  const described = describedObject(prior, lookup);
  return described ? { comment: described.comment } : undefined;
}

/** The object's owner before the migration, or undefined when unknown (or read without privileges). */
export function findOwner(prior: SchemaSnapshot, lookup: PropertyLookup): string | undefined {
  return describedObject(prior, lookup)?.owner ?? undefined;
}

/**
 * Views and materialized views whose definition names this relation (definitions are read with an empty
 * search_path, so every reference is schema-qualified): DROP VIEW would fail on them.
 */
export function dependentViews(prior: SchemaSnapshot, relation: QualifiedName): string[] {
  const reference = new RegExp(`(^|[^\\w."])${serverQuotedName(relation).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w"])`);
  return [...Object.values(prior.views), ...Object.values(prior.materializedViews)]
    .filter((view) => !(view.schema === relation.schema && view.name === relation.name) && reference.test(view.definition))
    .map((view) => qualifiedName(view.schema, view.name));
}

/** What an unnamed CREATE INDEX or ADD CONSTRAINT shows of the object Postgres named for it. */
export interface UnnamedObject {
  table: QualifiedName;
  /** Index: UNIQUE. */
  unique?: boolean;
  /** Index: has a WHERE clause. */
  partial?: boolean;
  /** Constraint: its type as the snapshot says it (`check`, `unique`, `foreign key`…). */
  constraintType?: string;
  /** The key columns when each is a plain column (undefined when an expression is among them). */
  columns?: string[];
}

/** `(a, b)` as pg_get_indexdef / pg_get_constraintdef print a column list (each name as the server quotes it). */
function serverColumnList(columns: string[]): string {
  const serverQuoted = (column: string) => serverQuotedName({ schema: 'x', name: column }).slice('x.'.length);
  return `(${columns.map(serverQuoted).join(', ')})`;
}

/**
 * The one object that is in `after` but not in `prior` and fits what the statement shows, or undefined when none
 * or several do (then the name stays unknown). `after` is the schema once the migration ran: the target database
 * when the migration is applied there, or a shadow copy the migration was applied to.
 */
function onlyNew<T>(candidates: T[], columnsMatch: (candidate: T) => boolean, columns: string[] | undefined): T | undefined {
  const matching = columns ? candidates.filter(columnsMatch) : candidates;
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * Not in the prior schema, or there with another definition: a name can come back within one statement (Lemmy's
 * `ALTER TABLE t DROP COLUMN id, ADD PRIMARY KEY (uuid)`: the new key takes t_pkey, which the old one had).
 */
function isNewOrRedefined(before: { definition: string } | undefined, after: { definition: string }): boolean {
  return before === undefined || before.definition !== after.definition;
}

/** The index Postgres named for an unnamed `CREATE INDEX ON t (…)`, read from the schema after the migration. */
export function chosenIndex(after: SchemaSnapshot, prior: SchemaSnapshot, wanted: UnnamedObject): IndexInfo | undefined {
  const table = key(wanted.table);
  const candidates = Object.entries(after.indexes)
    .filter(([name, index]) => isNewOrRedefined(prior.indexes[name], index) && index.table === table && index.constraint === null)
    .map(([, index]) => index)
    .filter((index) => /^CREATE UNIQUE INDEX /.test(index.definition) === (wanted.unique === true))
    .filter((index) => / WHERE /.test(index.definition) === (wanted.partial === true));
  const list = wanted.columns ? ` ${serverColumnList(wanted.columns)}` : '';
  return onlyNew(candidates, (index) => new RegExp(` USING \\w+ ${list.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`).test(index.definition), wanted.columns);
}

/** The constraint Postgres named for an unnamed `ALTER TABLE t ADD CHECK/UNIQUE/FOREIGN KEY …`. */
export function chosenConstraint(after: SchemaSnapshot, prior: SchemaSnapshot, wanted: UnnamedObject): ConstraintInfo | undefined {
  const table = key(wanted.table);
  const candidates = Object.entries(after.constraints)
    .filter(([name, constraint]) => isNewOrRedefined(prior.constraints[name], constraint) && constraint.table === table && constraint.type === wanted.constraintType)
    .map(([, constraint]) => constraint);
  const list = wanted.columns ? serverColumnList(wanted.columns) : '';
  return onlyNew(candidates, (constraint) => constraint.definition.includes(`${constraint.type === 'foreign key' ? 'FOREIGN KEY ' : constraint.type === 'unique' ? 'UNIQUE ' : constraint.type === 'primary key' ? 'PRIMARY KEY ' : ''}${list}`), wanted.columns);
}

/**
 * What ALTER COLUMN … TYPE rebuilds implicitly from its stored expression, which the round trip can change
 * (`normalize(name)` over varchar → text → varchar comes back as `normalize((name)::character varying)`): the
 * table's indexes with an expression or a WHERE clause that names the column (not those behind a constraint),
 * and its check constraints that name it. A revert restores them from their prior definitions.
 */
export function columnDependents(prior: SchemaSnapshot, table: QualifiedName, column: string): { indexes: IndexInfo[]; checks: ConstraintInfo[] } {
  const tableKey = key(table);
  const quoted = serverQuotedName({ schema: 'x', name: column }).slice('x.'.length).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = new RegExp(`(^|[^\\w"$])${quoted}($|[^\\w"$])`);
  const plainKey = / USING \w+ \([^()]*\)( INCLUDE \([^()]*\))?( WITH \([^()]*\))?$/;
  const indexes = Object.values(prior.indexes).filter(
    (index) => index.table === tableKey && index.constraint === null && !plainKey.test(index.definition) && names.test(index.definition.replace(/^.*? USING /, '')),
  );
  const checks = Object.values(prior.constraints).filter((constraint) => constraint.table === tableKey && constraint.type === 'check' && names.test(constraint.definition));
  return { indexes, checks };
}
