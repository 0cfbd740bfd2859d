/**
 * Do rows of `table` reference rows of `referenced` that do not exist? Asked before re-adding a foreign key: one
 * orphan makes the rollback fail. As the constraint does (MATCH SIMPLE), a row with a NULL in any of its
 * referencing columns is never an orphan.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolve, sizeHint } from './catalog.js';
import { decideByQuery, provenEmpty } from './decide.js';
import { ProbeRun, type Finding } from './finding.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { display, run } from './sql.js';
import { asOf, hasSampledValues } from './statistics.js';

export async function orphansPresent(
  target: Target,
  table: QualifiedName,
  columns: string[],
  referenced: QualifiedName,
  referencedColumns: string[],
): Promise<Finding> {
  const probe = new ProbeRun(target);
  if (columns.length === 0 || columns.length !== referencedColumns.length) {
    return probe.missing(`a foreign key needs as many referencing columns (${columns.length}) as referenced ones (${referencedColumns.length})`);
  }
  const child = await resolve(probe, table, columns);
  if (isFinding(child)) return child;
  const parent = await resolve(probe, referenced, referencedColumns);
  if (isFinding(parent)) return parent;
  const { table: facts } = child;
  const list = `(${columns.join(', ')})`;
  const subject = `${facts.name} ${list} → ${display(referenced)} (${referencedColumns.join(', ')})`;

  // An enforced, validated foreign key with exactly these columns already forbids orphans.
  const enforced = probe.serverVersionNum >= 180000 ? 'AND k.conenforced' : '';
  const constraint = await probe.step(
    (client) =>
      run<{ name: string }>(
        client,
        `SELECT k.conname AS name FROM pg_constraint k
         WHERE k.contype = 'f' AND k.conrelid = $1 AND k.confrelid = $2 AND k.convalidated ${enforced}
           AND k.conkey = $3::int2[] AND k.confkey = $4::int2[]
           AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgconstraint = k.oid AND g.tgenabled = 'D')
         LIMIT 1`,
        [facts.oid, parent.table.oid, child.columns.map((c) => c.attnum), parent.columns.map((c) => c.attnum)],
      ),
    'catalog',
  );
  if (constraint.ok && constraint.value[0]) {
    return probe.finish('no', 'exact', `foreign key ${constraint.value[0].name} already guarantees no orphans in ${subject}`);
  }
  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('no', 'exact', `${facts.name} is empty`);

  const pairs = child.columns.map((c, i) => `p.${quoteIdentAlways(parent.columns[i]!.name)} = v.${quoteIdentAlways(c.name)}`);
  const notNull = child.columns.map((c) => `v.${quoteIdentAlways(c.name)} IS NOT NULL`).join(' AND ');
  const missingParent = `NOT EXISTS (SELECT 1 FROM ${parent.table.sql} AS p WHERE ${pairs.join(' AND ')})`;

  // One column: the sampled values of the referencing column, looked up in today's referenced table.
  const only = child.columns.length === 1 ? child.columns[0]! : null;
  if (!probe.exact && only && hasSampledValues(only) && probe.hasTime()) {
    const arrayType = `${only.elementType}[]`;
    const sampled = await probe.step((client) =>
      run(
        client,
        `SELECT 1 FROM unnest(array_cat(($1::text)::${arrayType}, ($2::text)::${arrayType})) AS v(${quoteIdentAlways(only.name)})
         WHERE ${notNull} AND ${missingParent} LIMIT 1`,
        [only.stats!.mostCommonVals, only.stats!.histogramBounds],
      ),
    );
    if (sampled.ok && sampled.value.length > 0) {
      return probe.finish(
        'yes',
        'statistics',
        `pg_stats of ${facts.name}.${only.name} ${asOf(facts)} holds a value that ${display(referenced)}.${parent.columns[0]!.name} does not hold now`,
      );
    }
  }
  const what = `looking for rows of ${facts.name} (${sizeHint(facts)}) whose ${list} has no match in ${display(referenced)}`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what);
  return decideByQuery(probe, {
    tables: [facts, parent.table],
    sql: `SELECT 1 FROM ${facts.sql} AS v WHERE ${notNull} AND ${missingParent} LIMIT 1`,
    whenFound: 'yes',
    what,
    found: (how) => `found a row of ${facts.name} whose ${list} has no match in ${display(referenced)} (${how})`,
    notFound: (how) => `every row of ${facts.name} with ${list} set has its match in ${display(referenced)} (${how})`,
  });
}
