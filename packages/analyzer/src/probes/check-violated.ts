/**
 * Do rows violate a check constraint? Asked before re-adding a dropped CHECK: one violating row makes the rollback
 * fail. As Postgres does, a row for which the expression is NULL passes; only FALSE violates.
 *
 * `checkDefinition` is pg_get_constraintdef text ("CHECK ((total > (0)::numeric))", maybe followed by NOT VALID
 * or NO INHERIT), as read from a catalog; it is evaluated in a read-only transaction, as one statement.
 */
import type { QualifiedName } from '../sql/name.js';
import type { Target } from './target.js';
import { isFinding, resolve, sizeHint } from './catalog.js';
import { decideByQuery, provenEmpty } from './decide.js';
import { ProbeRun, type Finding } from './finding.js';
import { run } from './sql.js';

const DEFINITION = /^\s*CHECK\s*\(([\s\S]*)\)((?:\s+(?:NOT\s+VALID|NO\s+INHERIT|NOT\s+ENFORCED|ENFORCED))*)\s*$/i;

export async function checkViolated(target: Target, table: QualifiedName, checkDefinition: string): Promise<Finding> {
  const probe = new ProbeRun(target);
  const parsed = parseCheck(checkDefinition);
  if (!parsed) return probe.missing(`not a check constraint definition: ${checkDefinition}`);
  const resolved = await resolve(probe, table);
  if (isFinding(resolved)) return resolved;
  const { table: facts } = resolved;
  const shown = `CHECK (${parsed.expression})`;

  // The same check, validated and enforced, already on the table: no row can violate it.
  const enforced = probe.serverVersionNum >= 180000 ? 'AND k.conenforced' : '';
  const same = await probe.step(
    (client) =>
      run<{ name: string; definition: string }>(
        client,
        `SELECT k.conname AS name, pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k
         WHERE k.conrelid = $1 AND k.contype = 'c' AND k.convalidated ${enforced}`,
        [facts.oid],
      ),
    'catalog',
  );
  const existing = same.ok ? same.value.find((row) => parseCheck(row.definition)?.expression === parsed.expression) : undefined;
  if (existing) return probe.finish('no', 'exact', `constraint ${existing.name} on ${facts.name} already enforces ${shown}`);

  const empty = await provenEmpty(probe, facts);
  if (empty?.ok && empty.value) return probe.finish('no', 'exact', `${facts.name} is empty`);
  const what = `looking for rows of ${facts.name} (${sizeHint(facts)}) that violate ${shown}`;
  if (empty && !empty.ok) return probe.failed(empty.failure, what);
  // NOT (expr): NULL stays NULL and passes; the planner can also turn it into an index condition (total <= 0).
  return decideByQuery(probe, {
    tables: [facts],
    sql: `SELECT 1 FROM ${parsed.noInherit ? 'ONLY ' : ''}${facts.sql} WHERE NOT (${parsed.expression}) LIMIT 1`,
    whenFound: 'yes',
    what,
    found: (how) => `found a row of ${facts.name} that violates ${shown} (${how})`,
    notFound: (how) => `no row of ${facts.name} violates ${shown} (${how})`,
  });
}

function parseCheck(definition: string): { expression: string; noInherit: boolean } | null {
  const match = DEFINITION.exec(definition);
  return match ? { expression: match[1]!.trim(), noInherit: /NO\s+INHERIT/i.test(match[2] ?? '') } : null;
}
