/** Types: enums, composite types, domains (with their constraints), ranges, base and shell types. */
import {
  qualifiedName,
  type BaseTypeInfo,
  type CompositeTypeInfo,
  type DomainInfo,
  type EnumTypeInfo,
  type RangeTypeInfo,
} from '../snapshot.js';
import type { Queryable } from '../queryable.js';
import type { ColumnsByRelation } from './columns.js';
import {
  functionReference,
  groupBy,
  inScope,
  nonDefaultCollation,
  notInExtension,
  ownershipColumns,
  ownershipOf,
  sqlQualifiedName,
  toRecord,
  type CatalogScope,
  type Entry,
  type Owner,
  type OwnershipRow,
} from './sql.js';

interface TypeRow extends OwnershipRow {
  oid: string;
  /** The pg_class row of a composite type, '0' for others. */
  class_oid: string;
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

export interface TypeEntries {
  enums: Entry<EnumTypeInfo>[];
  compositeTypes: Entry<CompositeTypeInfo>[];
  domains: Entry<DomainInfo>[];
  rangeTypes: Entry<RangeTypeInfo>[];
  baseTypes: Entry<BaseTypeInfo>[];
}

export async function readTypes(
  db: Queryable,
  schemas: string[],
  serverVersion: number,
  /** The composite types' columns: may still be on their way (./index.ts reads the families at once). */
  columnsOfRelations: ColumnsByRelation | Promise<ColumnsByRelation>,
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<TypeEntries> {
  // Multirange types exist from PostgreSQL 14.
  const multirange = serverVersion >= 140000 ? 'format_type(r.rngmultitypid, NULL)' : 'NULL::pg_catalog.text';
  const typeRows = db.query<TypeRow>(
    `SELECT t.oid::pg_catalog.text AS oid, t.typrelid::pg_catalog.text AS class_oid,
       n.nspname AS schema, t.typname AS name, t.typtype::pg_catalog.text AS type_kind, t.typisdefined AS defined,
       obj_description(t.oid, 'pg_type') AS comment,
       ${ownershipColumns(withPrivileges, 't.typowner', 't.typacl', 'T')},
       CASE WHEN t.typtype = 'e' THEN ARRAY(
         SELECT e.enumlabel::pg_catalog.text FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS enum_labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS domain_base_type,
       t.typnotnull AS domain_not_null,
       t.typdefault AS domain_default,
       CASE WHEN t.typtype = 'd' THEN ${nonDefaultCollation('t.typcollation', 'base.typcollation')} END AS domain_collation,
       format_type(r.rngsubtype, NULL) AS range_subtype,
       (SELECT ${sqlQualifiedName('opc_ns.nspname', 'opc.opcname')}
          FROM pg_catalog.pg_opclass AS opc JOIN pg_catalog.pg_namespace AS opc_ns ON opc_ns.oid = opc.opcnamespace
          WHERE opc.oid = r.rngsubopc) AS range_operator_class,
       (SELECT ${sqlQualifiedName('coll_ns.nspname', 'coll.collname')}
          FROM pg_catalog.pg_collation AS coll JOIN pg_catalog.pg_namespace AS coll_ns ON coll_ns.oid = coll.collnamespace
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
       t.typalign::pg_catalog.text AS base_alignment,
       t.typstorage::pg_catalog.text AS base_storage,
       t.typcategory::pg_catalog.text AS base_category
     FROM pg_catalog.pg_type AS t
     JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_type AS base ON base.oid = t.typbasetype
     LEFT JOIN pg_catalog.pg_range AS r ON r.rngtypid = t.oid
     WHERE n.nspname = ANY($1::pg_catalog.text[])
       AND ${notInExtension('pg_type', 't.oid')}
       -- Types a table, view or sequence implies are not objects of their own; free-standing composites are.
       AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
       -- Neither are the array types every type gets, nor the multirange types ranges get (read with the range).
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type AS element WHERE element.oid = t.typelem AND element.typarray = t.oid)
       AND t.typtype <> 'm'
       ${inScope(scope, 't.oid = ANY($2::pg_catalog.oid[]) OR t.typrelid = ANY($3::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.types, scope.relations] : [schemas],
  );
  const [{ rows }, domainConstraints] = await Promise.all([typeRows, readDomainConstraints(db, schemas, scope)]);
  const columnsByRelation = await columnsOfRelations;

  const types: TypeEntries = { enums: [], compositeTypes: [], domains: [], rangeTypes: [], baseTypes: [] };
  for (const row of rows) {
    const key = qualifiedName(row.schema, row.name);
    const owners: Owner[] = row.class_oid !== '0' ? [`t${row.oid}`, `r${row.class_oid}`] : [`t${row.oid}`];
    const common = { schema: row.schema, name: row.name, ...ownershipOf(row) };
    switch (row.type_kind) {
      case 'e':
        types.enums.push({ key, owners, value: { ...common, labels: row.enum_labels ?? [], comment: row.comment } });
        break;
      case 'c':
        types.compositeTypes.push({
          key,
          owners,
          value: {
            ...common,
            attributes: (columnsByRelation.get(key) ?? []).map((column) => ({
              name: column.name,
              type: column.type,
              collation: column.collation,
              comment: column.comment,
            })),
            comment: row.comment,
          },
        });
        break;
      case 'd':
        types.domains.push({
          key,
          owners,
          value: {
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
        });
        break;
      case 'r':
        types.rangeTypes.push({
          key,
          owners,
          value: {
            ...common,
            subtype: row.range_subtype ?? '',
            subtypeOperatorClass: row.range_operator_class ?? '',
            collation: row.range_collation,
            canonicalFunction: row.range_canonical,
            subtypeDiffFunction: row.range_subtype_diff,
            multirangeType: row.range_multirange,
            comment: row.comment,
          },
        });
        break;
      default:
        // 'b' (base) and 'p' (pseudo: a shell type is one until it is defined).
        types.baseTypes.push({
          key,
          owners,
          value: {
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
        });
    }
  }
  return types;
}

async function readDomainConstraints(
  db: Queryable,
  schemas: string[],
  scope: CatalogScope | undefined,
): Promise<Map<string, DomainConstraintRow[]>> {
  const { rows } = await db.query<DomainConstraintRow>(
    `SELECT n.nspname AS schema, t.typname AS domain, con.conname AS name,
       pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment
     FROM pg_catalog.pg_constraint AS con
     JOIN pg_catalog.pg_type AS t ON t.oid = con.contypid
     JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY($1::pg_catalog.text[])
       -- From PostgreSQL 17 a domain's NOT NULL is also a constraint row; it is the domain's notNull already.
       AND con.contype <> 'n'
       AND ${notInExtension('pg_type', 't.oid')}
       ${inScope(scope, 't.oid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.types] : [schemas],
  );
  return groupBy(rows, (row) => qualifiedName(row.schema, row.domain));
}
