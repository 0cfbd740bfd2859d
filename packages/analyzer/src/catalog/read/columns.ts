/** Columns of tables, views, materialized views and composite types, read once and handed to their owners. */
import { qualifiedName, type ColumnInfo } from '../snapshot.js';
import type { Queryable } from '../queryable.js';
import { inScope, nonDefaultCollation, notInExtension, toRecord, type CatalogScope } from './sql.js';

export type ColumnsByRelation = Map<string, ColumnInfo[]>;

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

export async function readColumns(
  db: Queryable,
  schemas: string[],
  serverVersion: number,
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<ColumnsByRelation> {
  // attcompression exists from PostgreSQL 14.
  const compression = serverVersion >= 140000 ? 'a.attcompression::pg_catalog.text' : `''`;
  const { rows } = await db.query<ColumnRow>(
    `SELECT n.nspname AS schema, c.relname AS relation, a.attname AS name, -- Rank among live columns (what SELECT * shows), not attnum: dropped columns leave gaps in attnum.
       row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)::int AS position,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default_expression,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
       a.attgenerated::pg_catalog.text AS generated_kind,
       a.attidentity::pg_catalog.text AS identity,
       ${nonDefaultCollation('a.attcollation', 't.typcollation')} AS collation,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::pg_catalog.text END AS storage,
       ${compression} AS compression,
       ${withPrivileges ? 'ARRAY(SELECT item::pg_catalog.text FROM unnest(a.attacl) AS item ORDER BY 1)' : 'ARRAY[]::pg_catalog.text[]'} AS privileges,
       col_description(c.oid, a.attnum) AS comment
     FROM pg_catalog.pg_attribute AS a
     JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
     JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
     LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
       AND n.nspname = ANY($1::pg_catalog.text[])
       AND ${notInExtension('pg_class', 'c.oid')} AND ${notInExtension('pg_type', 'c.reltype')}
       ${inScope(scope, 'c.oid = ANY($2::pg_catalog.oid[])')}
     ORDER BY n.nspname, c.relname, a.attnum`,
    scope ? [schemas, scope.relations] : [schemas],
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

export function columnsRecord(columns: ColumnInfo[] | undefined): Record<string, ColumnInfo> {
  return toRecord((columns ?? []).map((column) => [column.name, column]));
}
