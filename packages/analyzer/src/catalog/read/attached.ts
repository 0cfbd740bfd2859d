/** Indexes, constraints, triggers, rules and policies: all hang off a relation in scope that no extension owns. */
import {
  qualifiedName,
  type ConstraintInfo,
  type ConstraintType,
  type IndexInfo,
  type PolicyInfo,
  type TableRuleInfo,
  type TriggerInfo,
} from '../snapshot.js';
import type { Queryable } from '../queryable.js';
import { inScope, notInExtension, type CatalogScope, type Entry } from './sql.js';

/** The first columns of a row that reads an object defined on a table (constraint, trigger, rule, policy). */
interface OnTableRow {
  table_oid: string;
  schema: string;
  table_name: string;
  name: string;
}

/** An object on a table: keyed `schema.table.name`, read with its table (its owner), its schema, table and name first. */
function onTable<T extends { schema: string; table: string; name: string }>(
  row: OnTableRow,
  fields: Omit<T, 'schema' | 'table' | 'name'>,
): Entry<T> {
  return {
    key: qualifiedName(row.schema, row.table_name, row.name),
    owners: [`r${row.table_oid}`],
    value: { schema: row.schema, table: qualifiedName(row.schema, row.table_name), name: row.name, ...fields } as T,
  };
}

function ownedByRelationInScope(relationAlias: string): string {
  return `${relationAlias}_ns.nspname = ANY($1::pg_catalog.text[]) AND ${notInExtension('pg_class', `${relationAlias}.oid`)}`;
}

interface IndexRow {
  oid: string;
  table_oid: string;
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

export async function readIndexes(db: Queryable, schemas: string[], scope?: CatalogScope): Promise<Entry<IndexInfo>[]> {
  const { rows } = await db.query<IndexRow>(
    `SELECT i.indexrelid::pg_catalog.text AS oid, i.indrelid::pg_catalog.text AS table_oid,
       n.nspname AS schema, ic.relname AS name, rel_ns.nspname AS table_schema, rel.relname AS table_name,
       pg_get_indexdef(i.indexrelid) AS definition,
       (SELECT con.conname FROM pg_catalog.pg_constraint AS con
          WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
          LIMIT 1) AS constraint_name,
       i.indisvalid AS valid, i.indisclustered AS clustered, i.indisreplident AS replica_identity,
       ts.spcname AS tablespace,
       (SELECT json_build_array(parent_ns.nspname, parent.relname)
          FROM pg_catalog.pg_inherits AS inh
          JOIN pg_catalog.pg_class AS parent ON parent.oid = inh.inhparent
          JOIN pg_catalog.pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE inh.inhrelid = i.indexrelid) AS partition_of,
       obj_description(i.indexrelid, 'pg_class') AS comment
     FROM pg_catalog.pg_index AS i
     JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
     JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
     JOIN pg_catalog.pg_class AS rel ON rel.oid = i.indrelid
     JOIN pg_catalog.pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     LEFT JOIN pg_catalog.pg_tablespace AS ts ON ts.oid = ic.reltablespace
     WHERE ${ownedByRelationInScope('rel')}
       ${inScope(scope, 'i.indexrelid = ANY($2::pg_catalog.oid[]) OR i.indrelid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) => ({
    key: qualifiedName(row.schema, row.name),
    owners: [`r${row.oid}`, `r${row.table_oid}`],
    value: {
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
  }));
}

interface ConstraintRow {
  table_oid: string;
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

export async function readConstraints(db: Queryable, schemas: string[], scope?: CatalogScope): Promise<Entry<ConstraintInfo>[]> {
  const { rows } = await db.query<ConstraintRow>(
    `SELECT rel.oid::pg_catalog.text AS table_oid, rel_ns.nspname AS schema, rel.relname AS table_name, con.conname AS name,
       con.contype::pg_catalog.text AS constraint_type, pg_get_constraintdef(con.oid) AS definition,
       con.condeferrable AS deferrable, con.condeferred AS initially_deferred, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment
     FROM pg_catalog.pg_constraint AS con
     JOIN pg_catalog.pg_class AS rel ON rel.oid = con.conrelid
     JOIN pg_catalog.pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       -- NOT NULL constraint rows (PostgreSQL 18) are the columns' notNull; constraint triggers are triggers.
       AND con.contype NOT IN ('n', 't')
       -- A foreign key referencing a partitioned table gets one extra row per referenced partition on the
       -- same table: an implementation detail of the one constraint declared.
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS parent
         WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)
       ${inScope(scope, 'con.conrelid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) =>
    onTable<ConstraintInfo>(row, {
      type: CONSTRAINT_TYPES[row.constraint_type] ?? `contype ${row.constraint_type}`,
      definition: row.definition,
      deferrable: row.deferrable,
      initiallyDeferred: row.initially_deferred,
      validated: row.validated,
      comment: row.comment,
    }),
  );
}

interface TriggerRow {
  table_oid: string;
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

export async function readTriggers(db: Queryable, schemas: string[], scope?: CatalogScope): Promise<Entry<TriggerInfo>[]> {
  const { rows } = await db.query<TriggerRow>(
    `SELECT rel.oid::pg_catalog.text AS table_oid, rel_ns.nspname AS schema, rel.relname AS table_name, t.tgname AS name,
       pg_get_triggerdef(t.oid) AS definition, t.tgenabled::pg_catalog.text AS enabled,
       obj_description(t.oid, 'pg_trigger') AS comment
     FROM pg_catalog.pg_trigger AS t
     JOIN pg_catalog.pg_class AS rel ON rel.oid = t.tgrelid
     JOIN pg_catalog.pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       AND NOT t.tgisinternal
       -- Clones of a partitioned table's trigger on its partitions follow from the parent's trigger.
       AND t.tgparentid = 0
       ${inScope(scope, 't.tgrelid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) =>
    onTable<TriggerInfo>(row, {
      definition: row.definition,
      enabled: TRIGGER_ENABLED[row.enabled] ?? 'origin',
      comment: row.comment,
    }),
  );
}

export async function readTableRules(db: Queryable, schemas: string[], scope?: CatalogScope): Promise<Entry<TableRuleInfo>[]> {
  const { rows } = await db.query<{ table_oid: string; schema: string; table_name: string; name: string; definition: string; enabled: string }>(
    `SELECT rel.oid::pg_catalog.text AS table_oid, rel_ns.nspname AS schema, rel.relname AS table_name, r.rulename AS name,
       pg_get_ruledef(r.oid) AS definition, r.ev_enabled::pg_catalog.text AS enabled
     FROM pg_catalog.pg_rewrite AS r
     JOIN pg_catalog.pg_class AS rel ON rel.oid = r.ev_class
     JOIN pg_catalog.pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       AND r.rulename <> '_RETURN'
       ${inScope(scope, 'r.ev_class = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) =>
    onTable<TableRuleInfo>(row, {
      definition: row.definition,
      enabled: TRIGGER_ENABLED[row.enabled] ?? 'origin',
    }),
  );
}

interface PolicyRow {
  table_oid: string;
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

export async function readPolicies(db: Queryable, schemas: string[], scope?: CatalogScope): Promise<Entry<PolicyInfo>[]> {
  const { rows } = await db.query<PolicyRow>(
    `SELECT rel.oid::pg_catalog.text AS table_oid, rel_ns.nspname AS schema, rel.relname AS table_name, p.polname AS name,
       p.polcmd::pg_catalog.text AS command, p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN role_oid = 0 THEN 'public' ELSE pg_get_userbyid(role_oid)::pg_catalog.text END
             FROM unnest(p.polroles) AS role_oid ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expression,
       pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression,
       obj_description(p.oid, 'pg_policy') AS comment
     FROM pg_catalog.pg_policy AS p
     JOIN pg_catalog.pg_class AS rel ON rel.oid = p.polrelid
     JOIN pg_catalog.pg_namespace AS rel_ns ON rel_ns.oid = rel.relnamespace
     WHERE ${ownedByRelationInScope('rel')}
       ${inScope(scope, 'p.polrelid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) =>
    onTable<PolicyInfo>(row, {
      command: POLICY_COMMANDS[row.command] ?? 'ALL',
      permissive: row.permissive,
      roles: row.roles,
      using: row.using_expression,
      withCheck: row.check_expression,
      comment: row.comment,
    }),
  );
}
