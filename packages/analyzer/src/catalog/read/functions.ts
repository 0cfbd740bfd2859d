/** Functions, procedures and aggregates. */
import { functionKey, type FunctionInfo } from '../snapshot.js';
import type { Queryable } from '../queryable.js';
import { quoteLiteral } from '../../sql/quote.js';
import { functionReference, inScope, notInExtension, ownershipColumns, ownershipOf, type CatalogScope, type Entry, type OwnershipRow } from './sql.js';

interface FunctionRow extends OwnershipRow {
  oid: string;
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

export async function readFunctions(
  db: Queryable,
  schemas: string[],
  withPrivileges: boolean,
  scope?: CatalogScope,
): Promise<Entry<FunctionInfo>[]> {
  const { rows } = await db.query<FunctionRow>(
    `SELECT p.oid::pg_catalog.text AS oid, n.nspname AS schema, p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       p.prokind::pg_catalog.text AS function_kind,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       CASE WHEN p.prokind = 'a' THEN json_build_object(
         'SFUNC', ${functionReference('ag.aggtransfn')},
         'STYPE', format_type(ag.aggtranstype, NULL),
         'SSPACE', NULLIF(ag.aggtransspace, 0),
         'FINALFUNC', ${functionReference('ag.aggfinalfn')},
         'FINALFUNC_EXTRA', NULLIF(ag.aggfinalextra, false),
         'FINALFUNC_MODIFY', ag.aggfinalmodify::pg_catalog.text,
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
         'MFINALFUNC_MODIFY', ag.aggmfinalmodify::pg_catalog.text,
         'MINITCOND', ag.aggminitval,
         'SORTOP', CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::pg_catalog.regoperator::pg_catalog.text END,
         'KIND', ag.aggkind::pg_catalog.text,
         'DIRECT_ARGUMENTS', NULLIF(ag.aggnumdirectargs, 0)
       ) END AS aggregate,
       ${ownershipColumns(withPrivileges, 'p.proowner', 'p.proacl', 'f')},
       obj_description(p.oid, 'pg_proc') AS comment
     FROM pg_catalog.pg_proc AS p
     JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
     LEFT JOIN pg_catalog.pg_aggregate AS ag ON ag.aggfnoid = p.oid
     WHERE n.nspname = ANY($1::pg_catalog.text[])
       AND ${notInExtension('pg_proc', 'p.oid')}
       -- Functions a type implies (the constructors of a range or multirange type) are part of that type.
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
         WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'i')
       ${inScope(scope, 'p.oid = ANY($2::pg_catalog.oid[])')}`,
    scope ? [schemas, scope.functions] : [schemas],
  );
  return rows.map((row) => {
    const identity = functionKey(row.schema, row.name, row.identity_arguments);
    const definition =
      row.definition !== null ? row.definition.trim() : describeAggregate(identity, row.aggregate ?? {});
    return {
      key: identity,
      owners: [`f${row.oid}`],
      value: {
        schema: row.schema,
        name: row.name,
        ...ownershipOf(row),
        identityArguments: row.identity_arguments,
        kind: FUNCTION_KINDS[row.function_kind] ?? 'function',
        definition,
        comment: row.comment,
      },
    };
  });
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
