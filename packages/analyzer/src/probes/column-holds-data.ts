/**
 * Has the column received data? The seed's question for an added column ("Column has data?": no → DROP COLUMN is
 * safe; yes → back it up first) and for a column about to be dropped. Data is a value that is non-NULL and
 * different from the column's current default: rows that only carry the default (what ADD COLUMN … DEFAULT gave
 * every existing row) lose nothing when the column goes.
 *
 * A default that is not a constant (now(), nextval(), a stable or volatile function) gives every row its own
 * value, so then every non-NULL value counts as data.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolveColumn, sizeHint, type ColumnFacts } from './catalog.js';
import { decideByQuery, firstRowWhereAny, provenEmpty } from './decide.js';
import { percent, type Finding, type ProbeRun } from './finding.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { asOf, hasSampledValues, sampledValueWhere } from './statistics.js';

export async function columnHoldsData(target: Target, table: QualifiedName, column: string): Promise<Finding> {
  const resolved = await resolveColumn(target, table, column);
  if (isFinding(resolved)) return resolved;
  const { probe, facts, column: col, subject } = resolved;

  if (col.generated) {
    return probe.finish('no', 'exact', `${subject} is a generated column: its values are computed from other columns, dropping it loses nothing`);
  }
  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('no', 'exact', `${facts.name} is empty`);

  const comparable = col.defaultExpr !== null && col.defaultIsConstant ? col.defaultExpr : null;
  const data = comparable === null ? 'a non-NULL value' : `a value other than NULL and its default ${comparable}`;
  const note =
    col.defaultExpr !== null && comparable === null
      ? `; its default ${col.defaultExpr} is not a constant, so every non-NULL value counts`
      : '';

  if (!probe.exact && col.stats) {
    if (comparable === null && col.stats.nullFrac < 1) {
      return probe.finish('yes', 'statistics', `pg_stats says ${percent(1 - col.stats.nullFrac)} of ${subject} is non-NULL ${asOf(facts)}${note}`);
    }
    if (comparable !== null && hasSampledValues(col)) {
      const sampled = await differentFromDefault(probe, col, comparable, 'v');
      if (sampled) return probe.finish('yes', 'statistics', `pg_stats shows ${data} in ${subject} ${asOf(facts)}`);
    }
  }

  const hint = col.stats
    ? `pg_stats says ${percent(col.stats.nullFrac)} NULL${comparable !== null ? ' and shows no other value than the default' : ''} (a sample, not proof)`
    : 'no statistics';
  const what = `looking for ${data} in ${subject} (${sizeHint(facts)})`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what, hint);

  const ref = quoteIdentAlways(col.name);
  const query = (conditions: string[]) => firstRowWhereAny('1', facts.sql, conditions);
  return decideByQuery(probe, {
    tables: [facts],
    // With an ordering and an index, "< default" and "> default" are two index lookups that skip the rows at the
    // default; without an index, one scan with "<>" beats two.
    sql: query(
      comparable === null
        ? [`${ref} IS NOT NULL`]
        : col.orderable && col.leadingIndex
          ? differsByRange(ref, comparable)
          : [differs(ref, comparable, 'operator')],
    ),
    ...(comparable !== null ? { fallbackSql: query([differs(ref, comparable, 'text')]) } : {}),
    whenFound: 'yes',
    what,
    hint,
    found: (how) => `found ${data} in ${subject} (${how})${note}`,
    notFound: (how) => `no row of ${subject} holds ${data} (${how})`,
  });
}

/** `expr` is non-NULL and differs from the default: by the type's own operators, or by text. */
function differs(expr: string, defaultExpr: string, how: 'operator' | 'text'): string {
  if (how === 'text') return `${expr} IS NOT NULL AND (${expr})::text IS DISTINCT FROM (${defaultExpr})::text`;
  return `${expr} IS NOT NULL AND ${expr} IS DISTINCT FROM (${defaultExpr})`;
}

/** The same for a type with a btree ordering: below the default, or above it (NULL is neither). */
function differsByRange(expr: string, defaultExpr: string): string[] {
  return [`${expr} > (${defaultExpr})`, `${expr} < (${defaultExpr})`];
}

async function differentFromDefault(probe: ProbeRun, col: ColumnFacts, defaultExpr: string, v: string): Promise<boolean> {
  const outcome = await sampledValueWhere(probe, col, differs(v, defaultExpr, 'operator'));
  if (outcome.ok) return outcome.value !== null;
  const byText = await sampledValueWhere(probe, col, differs(v, defaultExpr, 'text'));
  return byText.ok && byText.value !== null;
}
