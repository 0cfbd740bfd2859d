import type { DropStmt } from 'libpg-query';
import { commentOn, createIndex } from '../../catalog/ddl.js';
import { findIndex } from '../../catalog/lookup.js';
import { qualifyNames } from '../ast.js';
import { ask, howDecided, unanswered } from '../data.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { listItems } from '../sql.js';
import type { QualifiedName } from '../../sql/name.js';

interface DropIndex {
  index: QualifiedName;
  concurrently: boolean;
  ifExists: boolean;
}

export const dropIndex = defineRule<DropStmt, DropIndex>({
  id: 'drop-index',
  kind: 'drop_index',
  readsPrior: true,
  probes: ['duplicatesPresent'],
  title: 'Dropped index',
  explain: `A dropped index held no data, so it can always be rebuilt, from its definition as it was before
the migration (pg_get_indexdef of the prior schema). The statement alone does not show that definition:
without the prior schema the rollback cannot be written, and the change is risky. Rebuilding a unique
index fails if duplicates were written after the drop (the data check finds them).`,
  examples: [
    { sql: 'DROP INDEX users_email_idx;', verdict: 'risky' },
  ],
  on: ['DropStmt'],
  recognise(drop, context) {
    if (drop.removeType !== 'OBJECT_INDEX') return undefined;
    return (drop.objects ?? []).map((object) => {
      const index = qualifyNames(listItems(object), context.defaultSchema);
      return { object: displayName(index), details: { index, concurrently: drop.concurrent === true, ifExists: drop.missing_ok === true } };
    });
  },
  dataCheck({ details }, state, probes, { prior }) {
    const index = prior ? findIndex(prior, details.index) : undefined;
    const key = index ? uniqueKey(index.definition) : undefined;
    if (state !== 'applied' || !index || !key) return undefined;
    // Rebuilding a unique index fails once duplicates were written after the drop.
    return ask(`Are there duplicates of (${key.columns.join(', ')})?`, probes.duplicatesPresent(key.table, key.columns));
  },
  assess({ details }, { prior, data }) {
    const index = prior ? findIndex(prior, details.index) : undefined;
    if (prior && !index && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.index.name} did not exist before this migration: DROP INDEX IF EXISTS did nothing.`, rollback: [] };
    }
    if (!index) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: prior
          ? `Index ${details.index.name} is not in the prior schema, so its definition is unknown and it cannot be rebuilt.`
          : `Index ${details.index.name} is dropped; it held no data and can be rebuilt, but ${PRIOR_STATE_UNKNOWN}, so the CREATE INDEX cannot be written.`,
        rollback: [],
      };
    }
    const unique = /^CREATE UNIQUE /.test(index.definition);
    const rollback = [
      step(createIndex(index, details.concurrently, { overPartitions: true }), 'before-app', !details.concurrently),
      ...(index.comment !== null ? [step(commentOn('INDEX', sqlName(details.index), index.comment), 'before-app')] : []),
    ];
    if (data && data.finding.answer !== 'no') {
      return {
        verdict: 'risky',
        evidence: 'data',
        reason: data.finding.answer === 'yes' ? `Duplicates were written since ${details.index.name} was dropped (${howDecided(data)}): rebuilding the unique index fails until they are removed.` : unanswered(data),
        rollback,
      };
    }
    return {
      verdict: 'safe',
      evidence: data ? 'data' : 'catalog',
      reason: data
        ? `Index ${details.index.name} is rebuilt from its prior definition, and no duplicates block it (${howDecided(data)}).`
        : `Index ${details.index.name} held no data: it is rebuilt from its prior definition.${unique ? ' A unique index fails to rebuild once duplicates are written (the data check finds them).' : ''}`,
      rollback,
    };
  },
});

/** The table and plain columns of a unique index (`CREATE UNIQUE INDEX i ON s.t USING btree (a, b)`); none for expression or partial indexes. */
function uniqueKey(definition: string): { table: QualifiedName; columns: string[] } | undefined {
  const match = /^CREATE UNIQUE INDEX \S+ ON (?:ONLY )?("?[^".]+"?)\.("?[^"]+"?|\S+) USING \w+ \(([^()]*)\)$/.exec(definition);
  if (!match) return undefined;
  const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);
  const columns = match[3]!.split(', ');
  if (!columns.every((column) => /^("[^"]+"|[a-z_][a-z0-9_$]*)$/.test(column))) return undefined;
  return { table: { schema: unquote(match[1]!), name: unquote(match[2]!) }, columns: columns.map(unquote) };
}
