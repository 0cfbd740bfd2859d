/**
 * Do two rows share the same values in `columns`? Asked before re-adding a unique constraint or primary key: one
 * duplicate makes the rollback fail. As the constraint does, rows with a NULL in any of the columns never count
 * as duplicates (for a primary key, nullsPresent answers the NULL question).
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolve, sizeHint } from './catalog.js';
import { decideByQuery, provenEmpty } from './decide.js';
import { percent, ProbeRun, type Finding } from './finding.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { run } from './sql.js';
import { asOf } from './statistics.js';

/** A valid unique index, without predicate or expressions, with default operator classes, on some of the columns. */
const UNIQUE_INDEX_SQL = `
SELECT i.indexrelid::regclass::text AS name
FROM pg_index i
WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  AND (SELECT array_agg(k) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(k, n) WHERE n <= i.indnkeyatts) <@ $2::int2[]
  AND NOT EXISTS (
    SELECT 1 FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS u(opclass, n)
    JOIN pg_opclass oc ON oc.oid = u.opclass
    WHERE u.n <= i.indnkeyatts AND NOT oc.opcdefault)
ORDER BY i.indnkeyatts, 1
LIMIT 1`;

export async function duplicatesPresent(target: Target, table: QualifiedName, columns: string[]): Promise<Finding> {
  const probe = new ProbeRun(target);
  if (columns.length === 0) return probe.missing('no columns given to check for duplicates');
  const resolved = await resolve(probe, table, columns);
  if (isFinding(resolved)) return resolved;
  const { table: facts } = resolved;
  const cols = resolved.columns;
  const list = `(${cols.map((c) => c.name).join(', ')})`;
  const subject = `${facts.name} ${list}`;

  // A unique index on some of the columns already forbids duplicates (for inheritance, it covers only its table).
  if (!facts.hasChildren || facts.relkind === 'p') {
    const unique = await probe.step((client) => run<{ name: string }>(client, UNIQUE_INDEX_SQL, [facts.oid, cols.map((c) => c.attnum)]), 'catalog');
    if (unique.ok && unique.value[0]) {
      return probe.finish('no', 'index', `unique index ${unique.value[0].name} guarantees no duplicates in ${subject}`);
    }
  }
  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('no', 'exact', `${facts.name} is empty`);

  // A single column of an ordered type: its most common values are values the sample held more than once.
  const only = cols.length === 1 ? cols[0]! : null;
  if (!probe.exact && only?.stats?.mostCommonVals && only.stats.correlation !== null) {
    const top = only.stats.mostCommonFreqs?.[0];
    return probe.finish(
      'yes',
      'statistics',
      `pg_stats lists most common values of ${facts.name}.${only.name}${top ? `, the first in ${percent(top)} of the sampled rows` : ''}: values repeat ${asOf(facts)}`,
    );
  }
  const hint = only?.stats ? `pg_stats estimates ${describeDistinct(only.stats.nDistinct)} (an estimate, not proof)` : undefined;
  const what = `looking for duplicate ${list} in ${facts.name} (${sizeHint(facts)})`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what, hint);

  const refs = cols.map((c) => quoteIdentAlways(c.name));
  return decideByQuery(probe, {
    tables: [facts],
    sql: `SELECT 1 FROM ${facts.sql} WHERE ${refs.map((r) => `${r} IS NOT NULL`).join(' AND ')} GROUP BY ${refs.join(', ')} HAVING count(*) > 1 LIMIT 1`,
    whenFound: 'yes',
    what,
    ...(hint ? { hint } : {}),
    found: (how) => `found rows that share the same ${list} in ${facts.name} (${how})`,
    notFound: (how) => `no two rows of ${facts.name} share the same ${list} (${how})`,
  });
}

function describeDistinct(nDistinct: number): string {
  if (nDistinct === -1) return 'every value distinct';
  if (nDistinct < 0) return `${percent(-nDistinct)} of rows distinct`;
  return `${nDistinct} distinct values`;
}
