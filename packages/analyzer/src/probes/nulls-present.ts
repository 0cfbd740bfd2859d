/**
 * Are there NULLs in the column? Asked before re-adding NOT NULL (rolling back a DROP NOT NULL): one NULL makes
 * the rollback fail.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolveColumn, sizeHint } from './catalog.js';
import { decideByQuery, provenEmpty } from './decide.js';
import { percent, type Finding } from './finding.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { asOf } from './statistics.js';

export async function nullsPresent(target: Target, table: QualifiedName, column: string): Promise<Finding> {
  const resolved = await resolveColumn(target, table, column);
  if (isFinding(resolved)) return resolved;
  const { probe, facts, column: col, subject } = resolved;

  if (col.notNull) return probe.finish('no', 'exact', `${subject} is NOT NULL (a validated constraint), so it holds no NULL`);
  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('no', 'exact', `${facts.name} is empty`);
  // null_frac > 0: the sample held a NULL, so the column held one at the last ANALYZE. null_frac = 0 proves nothing.
  if (!probe.exact && col.stats && col.stats.nullFrac > 0) {
    return probe.finish('yes', 'statistics', `pg_stats says ${percent(col.stats.nullFrac)} of ${subject} is NULL ${asOf(facts)}`);
  }
  const hint = col.stats ? `pg_stats says ${percent(col.stats.nullFrac)} NULL (a sample, not proof)` : 'no statistics';
  const what = `looking for a NULL in ${subject} (${sizeHint(facts)})`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what, hint);
  return decideByQuery(probe, {
    tables: [facts],
    sql: `SELECT 1 FROM ${facts.sql} WHERE ${quoteIdentAlways(col.name)} IS NULL LIMIT 1`,
    whenFound: 'yes',
    what,
    hint,
    found: (how) => `found a NULL in ${subject} (${how})`,
    notFound: (how) => `no NULL in ${subject} (${how})`,
  });
}
