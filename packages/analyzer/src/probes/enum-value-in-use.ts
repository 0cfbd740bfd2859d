/**
 * Does any row hold the enum value? Asked before taking an enum value away (rolling back ALTER TYPE … ADD VALUE
 * means recreating the type without it): every column of the type, of a domain over it, or of an array of either,
 * in every table, is looked at. A column whose type holds the enum deeper (a composite, a range) is checked by
 * its text form, which can only err towards "in use".
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { rowSecurityDetail } from './catalog.js';
import { decideByQuery } from './decide.js';
import { ProbeRun, type Finding, type Method } from './finding.js';
import { quoteIdentAlways, sqlNameAlways } from '../sql/quote.js';
import { display, run } from './sql.js';

interface UsingColumn {
  /** The table's oid. */
  oid: string;
  schema: string;
  table: string;
  column: string;
  /** direct: the enum or a domain over it; array: an array of those; nested: anything else holding it. */
  how: 'direct' | 'array' | 'nested';
  /** An array of exactly the enum (`@>` can use a GIN index on it). */
  plain_array: boolean;
  /** The label is among the column's sampled values (pg_stats). */
  sampled: boolean;
  analyzed_at: Date | null;
  /** Row-level security applies to this role on the table (it would see only some rows). */
  row_security: boolean;
  force_row_security: boolean;
  owner: string;
  role: string;
  /** The role may SELECT the column. */
  readable: boolean;
}

const TYPE_SQL = `
SELECT t.oid::int8 AS oid, format_type(t.oid, NULL) AS name,
       EXISTS (SELECT 1 FROM pg_enum e WHERE e.enumtypid = t.oid AND e.enumlabel = $3) AS has_label
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = $1 AND t.typname = $2 AND t.typtype = 'e'`;

/** Types that hold the enum, and the table columns of those types (inherited columns are read through their parent). */
const COLUMNS_SQL = `
WITH RECURSIVE holding(oid, how, depth) AS (
  SELECT $1::oid, 'direct'::text, 0
  UNION
  SELECT t.oid,
         CASE WHEN h.how = 'direct' AND t.typtype = 'd' THEN 'direct'
              WHEN h.how = 'direct' AND t.typcategory = 'A' THEN 'array'
              ELSE 'nested' END,
         h.depth + 1
  FROM holding h
  JOIN pg_type t ON (t.typtype = 'd' AND t.typbasetype = h.oid)
                 OR (t.typcategory = 'A' AND t.typelem = h.oid)
                 OR (t.typtype = 'c' AND EXISTS (
                       SELECT 1 FROM pg_attribute ca
                       WHERE ca.attrelid = t.typrelid AND ca.atttypid = h.oid AND ca.attnum > 0 AND NOT ca.attisdropped))
                 OR (t.typtype IN ('r', 'm') AND EXISTS (
                       SELECT 1 FROM pg_range r WHERE (r.rngtypid = t.oid OR r.rngmultitypid = t.oid) AND r.rngsubtype = h.oid))
  WHERE h.depth < 8
),
holder AS (
  SELECT DISTINCT ON (oid) oid, how FROM holding
  ORDER BY oid, CASE how WHEN 'direct' THEN 0 WHEN 'array' THEN 1 ELSE 2 END
)
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS table, a.attname AS column, h.how,
       row_security_active(c.oid) AS row_security, c.relforcerowsecurity AS force_row_security,
       pg_get_userbyid(c.relowner)::text AS owner, current_user::text AS role,
       has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable,
       a.atttypid = (SELECT typarray FROM pg_type WHERE oid = $1) AS plain_array,
       coalesce((SELECT CASE h.how
                          WHEN 'direct' THEN $2 = ANY (st.most_common_vals::text::text[]) OR $2 = ANY (st.histogram_bounds::text::text[])
                          WHEN 'array' THEN $2 = ANY (st.most_common_elems::text::text[])
                          ELSE false END
                 FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
                 ORDER BY st.inherited DESC LIMIT 1), false) AS sampled,
       (SELECT greatest(s.last_analyze, s.last_autoanalyze) FROM pg_stat_all_tables s WHERE s.relid = c.oid) AS analyzed_at
FROM holder h
JOIN pg_attribute a ON a.atttypid = h.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount = 0
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'm', 'f')
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY n.nspname, c.relname, a.attname`;

export async function enumValueInUse(target: Target, type: QualifiedName, value: string): Promise<Finding> {
  const probe = new ProbeRun(target);
  const typeOutcome = await probe.step(
    (client) => run<{ oid: string; name: string; has_label: boolean }>(client, TYPE_SQL, [type.schema, type.name, value]),
    'catalog',
  );
  if (!typeOutcome.ok) return probe.failed(typeOutcome.failure, `reading enum type ${display(type)}`);
  const enumType = typeOutcome.value[0];
  if (!enumType) return probe.missing(`enum type ${display(type)} does not exist`);
  if (!enumType.has_label) return probe.finish('no', 'exact', `${display(type)} has no value '${value}', so no row can hold it`);

  const columnsOutcome = await probe.step((client) => run<UsingColumn>(client, COLUMNS_SQL, [enumType.oid, value]), 'catalog');
  if (!columnsOutcome.ok) return probe.failed(columnsOutcome.failure, `finding the columns of type ${display(type)}`);
  const columns = columnsOutcome.value;
  if (columns.length === 0) return probe.finish('no', 'exact', `no table column uses ${display(type)}`);

  if (!probe.exact) {
    const sampled = columns.find((column) => column.sampled);
    if (sampled) {
      const when = sampled.analyzed_at ? `analyzed ${sampled.analyzed_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'as of the last ANALYZE';
      return probe.finish('yes', 'statistics', `pg_stats shows '${value}' in ${sampled.schema}.${sampled.table}.${sampled.column} (${when})`);
    }
  }

  const literal = `$1::${sqlNameAlways(type)}`;
  const unsure: Finding[] = [];
  const methods = new Set<Method>();
  for (const [index, column] of columns.entries()) {
    const name = `${column.schema}.${column.table}.${column.column}`;
    if (index > 0 && !probe.hasTime()) {
      unsure.push(probe.finish('unknown', 'timeout', `no time left in the ${probe.settings.probeTimeoutMs} ms budget to look for '${value}' in ${name}; --exact checks every row`));
      continue;
    }
    if (column.row_security) {
      unsure.push(probe.finish('unknown', 'refused', rowSecurityDetail(`${column.schema}.${column.table}`, column.role, column.owner, column.force_row_security)));
      continue;
    }
    if (!column.readable) {
      unsure.push(probe.finish('unknown', 'refused', `role ${column.role} has no SELECT privilege on column ${name} (grant it SELECT on the table or the column)`));
      continue;
    }
    const ref = quoteIdentAlways(column.column);
    let condition: string;
    // A domain does not meet the enum's operators by itself: cast to the enum (a no-op for the enum's own columns).
    if (column.how === 'direct') condition = `${ref}::${sqlNameAlways(type)} = ${literal}`;
    else if (column.how === 'array') condition = column.plain_array ? `${ref} @> ARRAY[${literal}]` : `${literal} = ANY (${ref}::${sqlNameAlways(type)}[])`;
    else if (!/["\\]/.test(value)) {
      // The label appears as is in the text of any value holding it (quoted or not): a superset, never a miss.
      condition = `strpos(${ref}::text, $1) > 0`;
    } else {
      unsure.push(probe.finish('unknown', 'refused', `${name} holds ${display(type)} inside another type; a value with quotes or backslashes cannot be looked for there`));
      continue;
    }
    const finding = await decideByQuery(probe, {
      sql: `SELECT 1 FROM ${quoteIdentAlways(column.schema)}.${quoteIdentAlways(column.table)} WHERE ${condition} LIMIT 1`,
      tables: [{ oid: Number(column.oid), name: `${column.schema}.${column.table}` }],
      params: [value],
      whenFound: 'yes',
      what: `looking for '${value}' in ${name}`,
      found: (how) => `found '${value}' in ${name} (${how})${column.how === 'nested' ? ' (in the text of a value whose type holds the enum)' : ''}`,
      notFound: (how) => `no row of ${name} holds '${value}' (${how})`,
    });
    if (finding.answer === 'yes') return probe.finish('yes', finding.method, finding.detail);
    if (finding.answer === 'unknown') unsure.push(finding);
    else methods.add(finding.method);
  }
  const checked = `${columns.length} column${columns.length === 1 ? '' : 's'} of ${display(type)}`;
  if (unsure.length > 0) {
    const first = unsure[0]!;
    return probe.finish('unknown', first.method, `${first.detail}${unsure.length > 1 ? ` (and ${unsure.length - 1} more of ${checked} not decided)` : ''}`);
  }
  const method: Method = methods.has('exact') ? 'exact' : methods.has('bounded') ? 'bounded' : 'index';
  return probe.finish('no', method, `no row holds '${value}' in the ${checked} (${columns.map((c) => `${c.schema}.${c.table}.${c.column}`).join(', ')})`);
}
