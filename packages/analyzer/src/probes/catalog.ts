/**
 * What Postgres already knows about a probed table and its columns, read from the catalog in one query that takes
 * no lock on the table: existence, size estimates, when it was last analyzed, and each column's type, default,
 * NOT NULL and `pg_stats` row.
 */
import type { QualifiedName } from '../sql/name.js';
import { ProbeRun, type Finding } from './finding.js';
import type { Target } from './target.js';
import { sqlNameAlways } from '../sql/quote.js';
import { display, run } from './sql.js';

export interface TableFacts {
  oid: number;
  /** r table, p partitioned table, m materialized view, f foreign table. */
  relkind: string;
  /** The planner's row estimate (-1: never vacuumed or analyzed). */
  reltuples: number;
  /** Inheritance children or partitions, whose rows a query on the table also reads. */
  hasChildren: boolean;
  /** The later of last_analyze and last_autoanalyze. */
  analyzedAt: Date | null;
  /** `pg_stat_all_tables.n_live_tup`: the statistics system's running estimate. */
  liveTuples: number | null;
  /** `"schema"."table"`. */
  sql: string;
  /** `schema.table`. */
  name: string;
}

/** One `pg_stats` row; the arrays stay in their text form (`{a,b}`) for the server to cast back to the column's type. */
export interface ColumnStats {
  nullFrac: number;
  nDistinct: number;
  mostCommonVals: string | null;
  mostCommonFreqs: number[] | null;
  histogramBounds: string | null;
  /** Set only by the statistics of a type with an ordering (its most common values all occurred more than once). */
  correlation: number | null;
  mostCommonElems: string | null;
}

export interface ColumnFacts {
  name: string;
  attnum: number;
  typeOid: number;
  /** format_type with the type modifier: `character varying(20)`. */
  type: string;
  /** format_type without it, the element type of the column's `pg_stats` arrays. */
  elementType: string;
  /** pg_type.typcategory: N numeric, S string, D date/time, B boolean, A array, E enum, U user… */
  category: string;
  /** Whether `elementType[]` exists (the statistics can be cast back to it). */
  hasArrayType: boolean;
  /** Whether the type has its own default btree ordering (its `<` and `>` order all values). */
  orderable: boolean;
  /** Whether a valid btree index has the column as its first key (ranges and IS NULL are then index lookups). */
  leadingIndex: boolean;
  /** NOT NULL, and validated (a NOT VALID one from Postgres 18 proves nothing). */
  notNull: boolean;
  /** pg_get_expr of the default (or of the generation expression). */
  defaultExpr: string | null;
  /** Whether the default always yields the same value (only immutable functions and constants). */
  defaultIsConstant: boolean;
  /** '' or 's' (stored) / 'v' (virtual) generated column. */
  generated: string;
  /** '' or 'a' / 'd' identity column. */
  identity: string;
  stats: ColumnStats | null;
}

export interface Resolved {
  table: TableFacts;
  columns: ColumnFacts[];
}

/** Node types a constant default is made of; anything else (a CoerceViaIO, a SQLValueFunction…) is not trusted. */
const CONSTANT_NODES = new Set([
  'CONST',
  'FUNCEXPR',
  'OPEXPR',
  'RELABELTYPE',
  'ARRAYEXPR',
  'ARRAYCOERCEEXPR',
  'COERCETODOMAIN',
  'COERCETODOMAINVALUE',
  'BOOLEXPR',
  'NULLTEST',
  'CASE',
  'WHEN',
  'CASEEXPR',
  'CASEWHEN',
  'CASETESTEXPR',
  'ROW',
  'ROWEXPR',
  'DISTINCTEXPR',
  'NULLIFEXPR',
  'SCALARARRAYOPEXPR',
  'COALESCE',
  'COALESCEEXPR',
]);

/** Function references in a stored expression (pg_node_tree text). */
const FUNCTION_REFERENCE = ':(funcid|opfuncid|opno|hashfuncid|negfuncid) ([0-9]+)';

const RESOLVE_SQL = `
SELECT c.oid::int8 AS oid, c.relkind::text AS relkind, c.reltuples::float8 AS reltuples,
       (c.relhassubclass OR c.relkind = 'p') AS has_children,
       current_user::text AS role, pg_get_userbyid(c.relowner)::text AS owner,
       has_any_column_privilege(c.oid, 'SELECT') AS readable,
       row_security_active(c.oid) AS row_security, c.relforcerowsecurity AS force_row_security,
       coalesce(c.reloptions, '{}') && ARRAY['security_barrier=true', 'security_barrier=on'] AS security_barrier,
       greatest(s.last_analyze, s.last_autoanalyze) AS analyzed_at, s.n_live_tup::float8 AS live_tuples,
       (SELECT coalesce(json_agg(json_build_object(
          'name', a.attname, 'attnum', a.attnum, 'typeOid', a.atttypid::int8,
          'type', format_type(a.atttypid, a.atttypmod), 'elementType', format_type(a.atttypid, NULL),
          'category', t.typcategory::text, 'hasArrayType', t.typarray <> 0,
          'leadingIndex', EXISTS (
             SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am im ON im.oid = ic.relam
             WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND i.indisvalid AND im.amname = 'btree'),
          'orderable', EXISTS (
             SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
             WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype = a.atttypid),
          'notNull', a.attnotnull AND NOT EXISTS (
             SELECT 1 FROM pg_constraint k
             WHERE k.conrelid = c.oid AND k.contype = 'n' AND k.conkey = ARRAY[a.attnum] AND NOT k.convalidated),
          'defaultExpr', pg_get_expr(d.adbin, d.adrelid),
          'defaultTree', d.adbin::text,
          'defaultFunctionsImmutable', CASE WHEN d.adbin IS NULL THEN true ELSE (
             SELECT coalesce(bool_and(p.provolatile = 'i'), true)
             FROM regexp_matches(d.adbin::text, $4, 'g') AS m
             JOIN pg_proc p ON p.oid = CASE WHEN m[1] = 'opno'
                                            THEN (SELECT o.oprcode::oid FROM pg_operator o WHERE o.oid = m[2]::oid)
                                            ELSE m[2]::oid END) END,
          'generated', a.attgenerated::text, 'identity', a.attidentity::text,
          'readable', has_column_privilege(c.oid, a.attnum, 'SELECT'),
          'stats', (SELECT json_build_object(
               'nullFrac', st.null_frac, 'nDistinct', st.n_distinct,
               'mostCommonVals', st.most_common_vals::text, 'mostCommonFreqs', st.most_common_freqs,
               'histogramBounds', st.histogram_bounds::text, 'correlation', st.correlation,
               'mostCommonElems', st.most_common_elems::text)
             FROM pg_stats st
             WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
             ORDER BY st.inherited DESC LIMIT 1)
        ) ORDER BY array_position($3::text[], a.attname::text)), '[]'::json)
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($3::text[])) AS columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm', 'f', 'v')`;

interface RawColumn extends Omit<ColumnFacts, 'defaultIsConstant'> {
  defaultTree: string | null;
  defaultFunctionsImmutable: boolean;
  readable: boolean;
}

interface ResolvedRow {
  oid: string;
  relkind: string;
  reltuples: number;
  has_children: boolean;
  role: string;
  owner: string;
  readable: boolean;
  row_security: boolean;
  force_row_security: boolean;
  security_barrier: boolean;
  analyzed_at: Date | null;
  live_tuples: number | null;
  columns: RawColumn[];
}

/** The table and the named columns (in the order asked), or the 'missing' / failure finding that ends the probe. */
export async function resolve(probe: ProbeRun, table: QualifiedName, columnNames: string[] = []): Promise<Resolved | Finding> {
  const outcome = await probe.step(
    (client) => run<ResolvedRow>(client, RESOLVE_SQL, [table.schema, table.name, columnNames, FUNCTION_REFERENCE], 'migcheck_probe_resolve'),
    'catalog',
  );
  if (!outcome.ok) return probe.failed(outcome.failure, `reading the catalog for ${display(table)}`);
  const row = outcome.value[0];
  if (!row) return probe.missing(`table ${display(table)} does not exist`);
  const hidden = hiddenRows(probe, row, display(table), columnNames);
  if (hidden) return hidden;
  const columns = row.columns.map(
    ({ defaultTree, defaultFunctionsImmutable, readable: _readable, ...column }): ColumnFacts => ({
      ...column,
      defaultIsConstant: defaultTree === null || (defaultFunctionsImmutable && onlyConstantNodes(defaultTree)),
    }),
  );
  const absent = columnNames.filter((name) => !columns.some((column) => column.name === name));
  if (absent.length > 0) {
    return probe.missing(
      `${absent.length === 1 ? 'column' : 'columns'} ${absent.join(', ')} ${absent.length === 1 ? 'does' : 'do'} not exist in ${display(table)}`,
    );
  }
  return {
    table: {
      oid: Number(row.oid),
      relkind: row.relkind,
      reltuples: row.reltuples,
      hasChildren: row.has_children,
      analyzedAt: row.analyzed_at,
      liveTuples: row.live_tuples,
      sql: sqlNameAlways(table),
      name: display(table),
    },
    columns,
  };
}

/**
 * Whether the role would see less than the table holds, the finding that says so (unknown, with the reason and
 * who would see everything), else null. A probe that read only the rows it is shown would answer "empty" or "no
 * such value" for rows that exist: never a false "safe". The server enforces the same (row_security is off in
 * every probe transaction, so a filtered query fails); this check says why before any query runs.
 */
function hiddenRows(probe: ProbeRun, row: ResolvedRow, name: string, columnNames: string[]): Finding | null {
  if (row.relkind === 'v') {
    return probe.finish(
      'unknown',
      'refused',
      `${name} is a view${row.security_barrier ? ' (security barrier)' : ''}, not a table: it shows the rows its query lets through, not what the tables under it hold; the probes read tables`,
    );
  }
  if (row.row_security) return probe.finish('unknown', 'refused', rowSecurityDetail(name, row.role, row.owner, row.force_row_security));
  if (!row.readable) {
    return probe.finish('unknown', 'refused', `role ${row.role} has no SELECT privilege on ${name} (grant it SELECT on the table to let the probes read it)`);
  }
  const unreadable = columnNames.filter((column) => row.columns.some((c) => c.name === column && !c.readable));
  if (unreadable.length > 0) {
    return probe.finish(
      'unknown',
      'refused',
      `role ${row.role} has no SELECT privilege on column${unreadable.length === 1 ? '' : 's'} ${unreadable.join(', ')} of ${name} (grant it SELECT on the table or ${unreadable.length === 1 ? 'the column' : 'the columns'})`,
    );
  }
  return null;
}

/** Why a table under row-level security cannot be probed by this role, and which role could. */
export function rowSecurityDetail(name: string, role: string, owner: string, forced: boolean): string {
  const whoSeesAll = forced
    ? `a role with BYPASSRLS (or a superuser) sees every row; its owner ${owner} does not, because the table has FORCE ROW LEVEL SECURITY`
    : `a role with BYPASSRLS, or the table's owner ${owner}, sees every row`;
  return `${name} has row-level security, and role ${role} is subject to it (${forced ? 'forced on every role' : 'not the owner'}, no BYPASSRLS): its policies may hide rows from the probes; ${whoSeesAll}`;
}

export function isFinding<T extends object>(value: T | Finding): value is Finding {
  return 'answer' in value;
}

function onlyConstantNodes(tree: string): boolean {
  for (const match of tree.matchAll(/\{([A-Z_]+)/g)) {
    if (!CONSTANT_NODES.has(match[1]!)) return false;
  }
  return true;
}

/** "~10 000 000 rows (pg_class)", for details. */
export function sizeHint(table: TableFacts): string {
  const rows = table.reltuples >= 0 ? table.reltuples : table.liveTuples;
  if (rows === null || rows < 0 || (table.reltuples < 0 && rows === 0)) return 'size unknown: never analyzed';
  return `~${Math.round(rows).toLocaleString('en-US').replace(/,/g, ' ')} rows`;
}

/** A probe about one column: the run, its table and column facts, and how findings name it (`table.column`). */
export interface ResolvedColumn {
  probe: ProbeRun;
  facts: TableFacts;
  column: ColumnFacts;
  subject: string;
}

/** Starts a probe on one column and resolves it in the catalog; a missing table or column is the finding. */
export async function resolveColumn(target: Target, table: QualifiedName, columnName: string): Promise<ResolvedColumn | Finding> {
  const probe = new ProbeRun(target);
  const resolved = await resolve(probe, table, [columnName]);
  if (isFinding(resolved)) return resolved;
  const column = resolved.columns[0]!;
  return { probe, facts: resolved.table, column, subject: `${resolved.table.name}.${column.name}` };
}
