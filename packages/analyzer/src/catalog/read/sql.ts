/**
 * What the catalog queries of ./*.ts share: SQL fragments, the scope a read may be limited to, and how rows
 * become the snapshot's sorted maps.
 */
import { compareKeys, type Ownership } from '../snapshot.js';

/**
 * The objects a scoped read covers, by OID (./incremental.ts): relations (tables, views, sequences, indexes,
 * the classes of composite types), types and functions. A record is read when one of its owners is in scope.
 */
export interface CatalogScope {
  relations: readonly string[];
  types: readonly string[];
  functions: readonly string[];
}

/**
 * An object a record is read from: `r` a pg_class row, `t` a pg_type row, `f` a pg_proc row, then its OID (as text:
 * an OID is unsigned 32-bit).
 */
export type Owner = `${'r' | 't' | 'f'}${string}`;

/** A record of a snapshot map with the objects it was read from: a scoped read replaces exactly those. */
export interface Entry<T> {
  key: string;
  value: T;
  owners: Owner[];
}

/** `sql` when the read is scoped, else nothing: the condition that limits a query to the scope. */
export function inScope(scope: CatalogScope | undefined, sql: string): string {
  return scope ? `AND (${sql})` : '';
}

// ─── SQL fragments shared by the queries ────────────────────────────────────────────────────────────────────

/** True when the object is not a member of an extension (those are the extension's, not the schema's). */
export function notInExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS member
    WHERE member.classid = 'pg_catalog.${catalog}'::pg_catalog.regclass AND member.objid = ${oid} AND member.deptype = 'e')`;
}

/**
 * The `owner` and `privileges` columns of an object. `aclKind` is acldefault's object type ('r' relation,
 * 's' sequence, 'f' function, 'T' type, 'n' schema).
 */
export function ownershipColumns(withPrivileges: boolean, ownerOid: string, acl: string, aclKind: string): string {
  if (!withPrivileges) return `NULL::pg_catalog.text AS owner, ARRAY[]::pg_catalog.text[] AS privileges`;
  return `pg_get_userbyid(${ownerOid})::pg_catalog.text AS owner,
    ARRAY(SELECT item::pg_catalog.text FROM unnest(coalesce(${acl}, acldefault('${aclKind}', ${ownerOid}))) AS item ORDER BY 1)
      AS privileges`;
}

export interface OwnershipRow {
  owner: string | null;
  privileges: string[];
}

export function ownershipOf(row: OwnershipRow): Ownership {
  return { owner: row.owner, privileges: row.privileges };
}

/** A possibly schema-qualified name in SQL syntax (as Postgres would print it), for values, not keys. */
export function sqlQualifiedName(schema: string, name: string): string {
  return `CASE WHEN ${schema} = 'pg_catalog' THEN quote_ident(${name})
    ELSE quote_ident(${schema}) || '.' || quote_ident(${name}) END`;
}

/** The name of a collation that differs from a type's default collation, else NULL. */
export function nonDefaultCollation(collationOid: string, typeCollationOid: string): string {
  return `(SELECT ${sqlQualifiedName('coll_ns.nspname', 'coll.collname')}
    FROM pg_catalog.pg_collation AS coll JOIN pg_catalog.pg_namespace AS coll_ns ON coll_ns.oid = coll.collnamespace
    WHERE coll.oid = ${collationOid} AND ${collationOid} <> 0 AND ${collationOid} <> ${typeCollationOid})`;
}

/** A function reference (regproc) as `schema.name(argument types)`, NULL for none. */
export function functionReference(regproc: string): string {
  return `CASE WHEN ${regproc} = 0 THEN NULL ELSE ${regproc}::pg_catalog.regprocedure::pg_catalog.text END`;
}

export const EXCLUDED_SCHEMAS_CONDITION = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

// ─── Small helpers ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * Builds a map whose keys are in sorted order (so JSON output is stable too). Two objects with the same
 * identity would make the snapshot lossy, which must never pass silently.
 */
export function toRecord<T>(entries: Array<[string, T]>): Record<string, T> {
  const sorted = [...entries].sort(([a], [b]) => compareKeys(a, b));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1]?.[0] === sorted[i]?.[0]) {
      throw new Error(`schema snapshot: two catalog objects share the identity ${sorted[i]?.[0]}`);
    }
  }
  // Object.fromEntries defines own properties, so even a column called "__proto__" is stored as data.
  return Object.fromEntries(sorted);
}

/** toRecord of entries read with their owners. */
export function entriesRecord<T>(entries: ReadonlyArray<Entry<T>>): Record<string, T> {
  return toRecord(entries.map((entry) => [entry.key, entry.value]));
}

export function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  return groups;
}
