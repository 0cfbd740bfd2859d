/**
 * Do the column's values convert to `type` and back unchanged (`v::type::current = v`)? The seed's "Data
 * compatible?" for a rolled-back type change (back to the old type: bigint values beyond the integer range make
 * it irreversible), and the forward question for a pending narrowing cast. A cast that fails and a round trip
 * that changes the value both answer 'no'.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolveColumn, sizeHint, type ColumnFacts } from './catalog.js';
import { decideByQuery, firstRowWhereAny, provenEmpty } from './decide.js';
import { type Finding, type Outcome, type ProbeRun } from './finding.js';
import { quoteIdentAlways, quoteLiteral } from '../sql/quote.js';
import { run } from './sql.js';
import { asOf, hasSampledValues, sampledValueWhere } from './statistics.js';

/** Integer types by OID, with their ranges. */
const INTEGER_RANGES = new Map<number, { name: string; low: string; high: string }>([
  [21, { name: 'smallint', low: '-32768', high: '32767' }],
  [23, { name: 'integer', low: '-2147483648', high: '2147483647' }],
  [20, { name: 'bigint', low: '-9223372036854775808', high: '9223372036854775807' }],
]);
/** numeric, real, double precision: values that may lie between integers. */
const FRACTIONAL_NUMBERS = new Set([1700, 700, 701]);
/**
 * Conversions that keep every value, by OID: from smallint, integer, bigint, real, varchar, date to these
 * (unconstrained) types and back, nothing changes.
 */
const LOSSLESS = new Map<number, number[]>([
  [21, [23, 20, 1700]],
  [23, [20, 1700]],
  [20, [1700]],
  [700, [701]],
  [1043, [25]],
  [1082, [1114]],
]);
/** Categories whose values may be quoted in a finding: numbers, dates and times, booleans (not free text). */
const QUOTABLE_CATEGORIES = new Set(['N', 'D', 'B', 'T']);

interface TargetType {
  oid: number;
  /** What goes into the SQL: the server's own spelling when it can give it (Postgres 17+), else the validated input. */
  sql: string;
  display: string;
  /** The type modifier, when the server can tell it (Postgres 17+). */
  typmod: number | null;
}

export async function valuesFitType(target: Target, table: QualifiedName, column: string, type: string): Promise<Finding> {
  const resolved = await resolveColumn(target, table, column);
  if (isFinding(resolved)) return resolved;
  const { probe, facts, column: col, subject } = resolved;

  const typeOutcome = await targetType(probe, type);
  if (!typeOutcome.ok) return probe.failed(typeOutcome.failure, `reading type ${type}`);
  const to = typeOutcome.value;
  if (!to) return probe.missing(`type ${type} does not exist`);

  if (to.oid === col.typeOid && (to.typmod === null ? !type.includes('(') : to.typmod === -1 || to.sql === col.type)) {
    return probe.finish('yes', 'exact', `${subject} is already of type ${col.type}`);
  }
  const unconstrained = to.typmod === null ? !type.includes('(') : to.typmod === -1;
  if (unconstrained && LOSSLESS.get(col.typeOid)?.includes(to.oid)) {
    return probe.finish('yes', 'exact', `every ${col.elementType} value converts to ${to.display} and back unchanged`);
  }
  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('yes', 'exact', `${facts.name} is empty`);

  const integer = INTEGER_RANGES.get(to.oid);
  const rangeCheck = integer && (INTEGER_RANGES.has(col.typeOid) || FRACTIONAL_NUMBERS.has(col.typeOid));
  /** Conditions on `v`, any of which means the value does not fit. */
  const misfit = (v: string, how: 'operator' | 'text'): string[] =>
    rangeCheck ? outOfRange(col, v, integer) : [`${v} IS NOT NULL AND (${roundTripChanges(probe, col, v, to, how)})`];
  /** Separate queries let an index answer each range; without one, a single scan for all of them. */
  const misfitQuery = (conditions: string[]) => (col.leadingIndex ? conditions : [conditions.map((c) => `(${c})`).join(' OR ')]);
  const quotable = QUOTABLE_CATEGORIES.has(col.category);
  const beyond = (value: string | null): string =>
    value === null
      ? `a value that does not fit ${to.display}`
      : !quotable
        ? `a value (${value.length} characters) that does not fit ${to.display}`
        : integer && rangeCheck && isOutside(value, integer)
          ? `a value ${clip(value)} beyond ${to.display}`
          : `a value ${clip(value)} that ${to.display} does not hold unchanged`;

  // A sampled value that does not fit proves that one did not at the last ANALYZE.
  if (!probe.exact && hasSampledValues(col)) {
    let sampled = await sampledValueWhere(probe, col, misfit('v', 'operator').join(' OR '));
    if (!sampled.ok && sampled.failure.kind === 'undefined-operator') sampled = await sampledValueWhere(probe, col, misfit('v', 'text').join(' OR '));
    if (sampled.ok && sampled.value !== null) return probe.finish('no', 'statistics', `pg_stats holds ${beyond(sampled.value)} in ${subject} ${asOf(facts)}`);
    if (!sampled.ok && sampled.failure.kind === 'data') {
      return probe.finish('no', 'statistics', `pg_stats holds a value of ${subject} that does not convert to ${to.display} (${castRefusal(sampled.failure.message, quotable)}) ${asOf(facts)}`);
    }
  }

  const hint = hasSampledValues(col) ? 'every value in pg_stats fits (a sample, not proof)' : 'no statistics';
  const what = `checking that every value of ${subject} (${sizeHint(facts)}) fits ${to.display}`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what, hint);

  const ref = quoteIdentAlways(col.name);
  const query = (conditions: string[]) => firstRowWhereAny(`${ref}::text AS value`, facts.sql, conditions);
  let found: string | null = null;
  return decideByQuery(probe, {
    tables: [facts],
    sql: query(misfitQuery(misfit(ref, 'operator'))),
    ...(rangeCheck ? {} : { fallbackSql: query(misfitQuery(misfit(ref, 'text'))) }),
    whenFound: 'no',
    what,
    hint,
    found: (how) => `found ${beyond(found)} in ${subject} (${how})`,
    notFound: (how) => `every value of ${subject} fits ${to.display} (${how})`,
    onRow: (row) => {
      found = String(row.value);
    },
    // The cast itself failing on a value (out of range, invalid input) is the answer, not a refusal.
    onFailure: (failure, method) =>
      failure.kind === 'data'
        ? probe.finish('no', method, `a value of ${subject} does not convert to ${to.display} (${castRefusal(failure.message, quotable)})`)
        : undefined,
  });
}

/**
 * The server's reason a cast failed, without the value when the column holds free text: before Postgres 16
 * (no pg_input_is_valid) a failing cast is how a misfit shows, and its message quotes the value ("w1").
 */
function castRefusal(message: string, quotable: boolean): string {
  return quotable ? message : message.replace(/"(?:[^"]|"")*"/g, '"…"');
}

async function targetType(probe: ProbeRun, type: string): Promise<Outcome<TargetType | null>> {
  // to_regtype parses the whole string as one type name (or fails): what passes is safe to splice into SQL.
  const modern = probe.serverVersionNum >= 170000;
  const sql = modern
    ? `SELECT t::int8 AS oid, format_type(t, m) AS name, m AS typmod FROM (SELECT to_regtype($1) AS t, to_regtypemod($1) AS m) AS x`
    : `SELECT t::int8 AS oid, format_type(t, NULL) AS name, NULL::int AS typmod FROM (SELECT to_regtype($1) AS t) AS x`;
  const outcome = await probe.step((client) => run<{ oid: string | null; name: string | null; typmod: number | null }>(client, sql, [type]), 'catalog');
  if (!outcome.ok) {
    if (outcome.failure.code === '42601' || outcome.failure.code === '22P02') return { ok: true, value: null };
    return outcome;
  }
  const row = outcome.value[0];
  if (!row?.oid || !row.name || /[;]|--|\/\*/.test(type)) return { ok: true, value: null };
  return modern
    ? { ok: true, value: { oid: Number(row.oid), sql: row.name, display: row.name, typmod: row.typmod } }
    : { ok: true, value: { oid: Number(row.oid), sql: type, display: type, typmod: null } };
}

/**
 * For a number converted to an integer type: above its range, below it, or not a whole number (the cast would
 * round). NaN sorts above every number, so it is out of range. A NULL satisfies none of them.
 */
function outOfRange(col: ColumnFacts, v: string, range: { low: string; high: string }): string[] {
  const bounds = [`${v} > ${range.high}`, `${v} < ${range.low}`];
  return FRACTIONAL_NUMBERS.has(col.typeOid) ? [...bounds, `${v} <> trunc(${v})`] : bounds;
}

/**
 * The round trip `v::type::current` changes `v`. From a string type on Postgres 16+, pg_input_is_valid first:
 * the cast is then an input conversion, and a value it rejects is found instead of failing the query.
 */
function roundTripChanges(probe: ProbeRun, col: ColumnFacts, v: string, to: TargetType, how: 'operator' | 'text'): string {
  const roundTrip = `((${v})::${to.sql})::${col.type}`;
  const changed = how === 'text' ? `(${roundTrip})::text IS DISTINCT FROM (${v})::text` : `${roundTrip} IS DISTINCT FROM (${v})`;
  if (col.category !== 'S' || probe.serverVersionNum < 160000) return changed;
  return `CASE WHEN pg_input_is_valid((${v})::text, ${quoteLiteral(to.sql)}) THEN ${changed} ELSE true END`;
}

function isOutside(value: string, range: { low: string; high: string }): boolean {
  if (/^-?Infinity$/.test(value)) return true;
  try {
    const n = BigInt(value.split('.')[0]!);
    return n < BigInt(range.low) || n > BigInt(range.high);
  } catch {
    return false; // NaN
  }
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}…` : value;
}
