import type { IndexStmt } from 'libpg-query';
import { findIndex } from '../../catalog/lookup.js';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddIndex {
  table: QualifiedName;
  /** The index name; an index lives in its table's schema. Undefined when Postgres picks the name. */
  index: QualifiedName | undefined;
  unique: boolean;
  concurrently: boolean;
  ifNotExists: boolean;
}

export const addIndex = defineRule<IndexStmt, AddIndex>({
  id: 'add-index',
  kind: 'add_index',
  title: 'Added index',
  explain: `An index holds no data of its own: dropping it loses nothing, so an added index is rolled back
by DROP INDEX (DROP INDEX CONCURRENTLY for an index built concurrently, outside a transaction).
It is risky when the rollback cannot name it (CREATE INDEX without a name: Postgres picks one, so
name your indexes) or when it may have existed before (CREATE INDEX IF NOT EXISTS).`,
  on: ['IndexStmt'],
  recognise(index, context) {
    const table = qualify(index.relation, context.defaultSchema);
    const name = index.idxname ? { schema: table.schema, name: index.idxname } : undefined;
    return {
      object: name ? displayName(name) : displayName(table),
      details: {
        table,
        index: name,
        unique: index.unique === true,
        concurrently: index.concurrent === true,
        ifNotExists: index.if_not_exists === true,
      },
      target: { table },
    };
  },
  assess({ details }, { prior }) {
    if (!details.index) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `The index on ${details.table.name} has no name: Postgres chooses one, so the rollback cannot name it. Give the index a name.`,
        rollback: [],
      };
    }
    const drop = step(
      `DROP INDEX ${details.concurrently ? 'CONCURRENTLY ' : ''}${sqlName(details.index)};`,
      'any',
      !details.concurrently,
    );
    if (details.ifNotExists && prior && findIndex(prior, details.index)) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.index.name} existed before this migration, so CREATE INDEX IF NOT EXISTS did nothing: nothing to undo.`, rollback: [] };
    }
    if (details.ifNotExists && !prior) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `CREATE INDEX IF NOT EXISTS: ${details.index.name} may have existed before this migration; dropping it would remove an index the old application relies on.`,
        rollback: [drop],
      };
    }
    return {
      verdict: 'safe',
      evidence: details.ifNotExists ? 'catalog' : 'static',
      reason: `New ${details.unique ? 'unique ' : ''}index ${details.index.name}: an index holds no data of its own, so dropping it loses nothing.`,
      rollback: [drop],
    };
  },
});
