/** Tables, views, materialized views and sequences: the relations that are objects of their own. */
import {
  qualifiedName,
  type MaterializedViewInfo,
  type Persistence,
  type SequenceInfo,
  type TableInfo,
  type ViewInfo,
} from '../snapshot.js';
import type { Queryable } from '../queryable.js';
import { columnsRecord, type ColumnsByRelation } from './columns.js';
import { inScope, notInExtension, ownershipColumns, ownershipOf, type CatalogScope, type Entry, type OwnershipRow } from './sql.js';

interface RelationRow extends OwnershipRow {
  oid: string;
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

export interface RelationEntries {
  tables: Entry<TableInfo>[];
  views: Entry<ViewInfo>[];
  materializedViews: Entry<MaterializedViewInfo>[];
}

const TABLE_KINDS: Record<string, TableInfo['kind']> = { r: 'table', p: 'partitioned table', f: 'foreign table' };
export const PERSISTENCES: Record<string, Persistence> = { p: 'permanent', u: 'unlogged', t: 'temporary' };
const REPLICA_IDENTITIES: Record<string, TableInfo['replicaIdentity']> = {
  d: 'default',
  n: 'nothing',
  f: 'full',
  i: 'index',
};

export async function readRelations(
  db: Queryable,
  schemas: string[],
  /** May still be on their way (./index.ts reads the families at once). */
  columnsOfRelations: ColumnsByRelation | Promise<ColumnsByRelation>,
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<RelationEntries> {
  const { rows } = await db.query<RelationRow>(
    `SELECT c.oid::pg_catalog.text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::pg_catalog.text AS relation_kind,
       c.relpersistence::pg_catalog.text AS persistence,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       (SELECT json_build_array(parent_ns.nspname, parent.relname)
          FROM pg_catalog.pg_inherits AS i
          JOIN pg_catalog.pg_class AS parent ON parent.oid = i.inhparent
          JOIN pg_catalog.pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT json_agg(json_build_array(parent_ns.nspname, parent.relname) ORDER BY i.inhseqno)
          FROM pg_catalog.pg_inherits AS i
          JOIN pg_catalog.pg_class AS parent ON parent.oid = i.inhparent
          JOIN pg_catalog.pg_namespace AS parent_ns ON parent_ns.oid = parent.relnamespace
          WHERE i.inhrelid = c.oid AND NOT c.relispartition) AS inherits,
       c.relrowsecurity AS row_level_security,
       c.relforcerowsecurity AS force_row_level_security,
       ARRAY(SELECT opt FROM unnest(c.reloptions) AS opt ORDER BY opt) AS options,
       ts.spcname AS tablespace,
       am.amname AS access_method,
       c.relreplident::pg_catalog.text AS replica_identity,
       fs.srvname AS foreign_server,
       ARRAY(SELECT opt FROM unnest(ft.ftoptions) AS opt ORDER BY opt) AS foreign_options,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition,
       c.relispopulated AS populated,
       ${ownershipColumns(withPrivileges, 'c.relowner', 'c.relacl', 'r')},
       obj_description(c.oid, 'pg_class') AS comment
     FROM pg_catalog.pg_class AS c
     JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_tablespace AS ts ON ts.oid = c.reltablespace
     LEFT JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
     LEFT JOIN pg_catalog.pg_foreign_table AS ft ON ft.ftrelid = c.oid
     LEFT JOIN pg_catalog.pg_foreign_server AS fs ON fs.oid = ft.ftserver
     WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
       AND n.nspname = ANY($1::pg_catalog.text[])
       AND ${notInExtension('pg_class', 'c.oid')}
       ${inScope(scope, 'c.oid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  const columnsByRelation = await columnsOfRelations;

  const relations: RelationEntries = { tables: [], views: [], materializedViews: [] };
  for (const row of rows) {
    const key = qualifiedName(row.schema, row.name);
    const owners = [`r${row.oid}` as const];
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
        relations.views.push({ key, owners, value: view });
      } else {
        relations.materializedViews.push({
          key,
          owners,
          value: { ...view, populated: row.populated, tablespace: row.tablespace, accessMethod: row.access_method },
        });
      }
      continue;
    }
    relations.tables.push({
      key,
      owners,
      value: {
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
    });
  }
  return relations;
}

// Sequences.

interface SequenceRow extends OwnershipRow {
  oid: string;
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

export async function readSequences(
  db: Queryable,
  schemas: string[],
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<Entry<SequenceInfo>[]> {
  const { rows } = await db.query<SequenceRow>(
    `SELECT c.oid::pg_catalog.text AS oid, n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart::pg_catalog.text AS start, s.seqincrement::pg_catalog.text AS increment,
       s.seqmin::pg_catalog.text AS min_value, s.seqmax::pg_catalog.text AS max_value, s.seqcache::pg_catalog.text AS cache, s.seqcycle AS cycle,
       c.relpersistence::pg_catalog.text AS persistence,
       -- 'a': OWNED BY (serial), 'i': the sequence of an identity column.
       (SELECT json_build_array(owner_ns.nspname, owner.relname, owner_column.attname)
          FROM pg_catalog.pg_depend AS d
          JOIN pg_catalog.pg_class AS owner ON owner.oid = d.refobjid
          JOIN pg_catalog.pg_namespace AS owner_ns ON owner_ns.oid = owner.relnamespace
          JOIN pg_catalog.pg_attribute AS owner_column ON owner_column.attrelid = owner.oid AND owner_column.attnum = d.refobjsubid
          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
          LIMIT 1) AS owned_by,
       ${ownershipColumns(withPrivileges, 'c.relowner', 'c.relacl', 's')},
       obj_description(c.oid, 'pg_class') AS comment
     FROM pg_catalog.pg_sequence AS s
     JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
     JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::pg_catalog.text[]) AND ${notInExtension('pg_class', 'c.oid')}
       ${inScope(scope, 'c.oid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.relations] : [schemas],
  );
  return rows.map((row) => ({
    key: qualifiedName(row.schema, row.name),
    owners: [`r${row.oid}`],
    value: {
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
  }));
}
