/**
 * Does the table hold rows? The seed's "Table has data?" for an added table (no → DROP TABLE is safe; yes → back
 * it up first), and the question for a table about to be dropped.
 *
 * The live check comes first here: `SELECT 1 … LIMIT 1` reads one row of a table that has rows and nothing of an
 * empty one. Only when it cannot finish (the table is locked, or full of dead rows) do the statistics speak, and
 * then only to say that rows existed.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolve, sizeHint } from './catalog.js';
import { readData, smallness } from './decide.js';
import { ProbeRun, rowCount, type Finding } from './finding.js';
import { run } from './sql.js';
import { asOf } from './statistics.js';

export async function tableHoldsRows(target: Target, table: QualifiedName): Promise<Finding> {
  const probe = new ProbeRun(target);
  const resolved = await resolve(probe, table);
  if (isFinding(resolved)) return resolved;
  const { table: facts } = resolved;
  const estimate = facts.reltuples > 0 ? facts.reltuples : facts.liveTuples !== null && facts.liveTuples > 0 ? facts.liveTuples : null;

  const outcome = await readData(probe, [facts], (client) => run(client, `SELECT 1 FROM ${facts.sql} LIMIT 1`));
  if (outcome.ok) {
    const { value: rows, small } = outcome.value;
    const method = small ? 'exact' : probe.scanMethod;
    const how = small ? ` (${smallness(small)}: read whole)` : '';
    return rows.length > 0
      ? probe.finish('yes', method, `${facts.name} holds rows (${sizeHint(facts)} by the statistics)${how}`)
      : probe.finish('no', method, `${facts.name} is empty${how}`);
  }
  if (!probe.exact && estimate !== null) {
    return probe.finish(
      'yes',
      'statistics',
      `the statistics count ~${rowCount(estimate)} rows in ${facts.name} ${asOf(facts)}; the live check could not run (${outcome.failure.kind === 'lock' ? 'the table is locked' : outcome.failure.message})`,
    );
  }
  return probe.failed(outcome.failure, `reading a row of ${facts.name}`);
}
