import type { IndexElem, IndexStmt, Node } from 'libpg-query';
import { chosenIndex, findIndex } from '../../catalog/lookup.js';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, mayHaveExisted, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddIndex {
  table: QualifiedName;
  /** The index name; an index lives in its table's schema. Undefined when Postgres picks the name. */
  index: QualifiedName | undefined;
  unique: boolean;
  concurrently: boolean;
  ifNotExists: boolean;
  /** With a WHERE clause; and the key columns when each is a plain column: to find the index Postgres named. */
  partial: boolean;
  columns: string[] | undefined;
}

export const addIndex = defineRule<IndexStmt, AddIndex>({
  id: 'add-index',
  kind: 'add_index',
  readsPrior: true,
  title: 'Added index',
  explain: `An index holds no data of its own: dropping it loses nothing, so an added index is rolled back
by DROP INDEX (DROP INDEX CONCURRENTLY for an index built concurrently, outside a transaction).
It is risky when the rollback cannot name it (CREATE INDEX without a name: Postgres picks one, so
name your indexes) or when it may have existed before (CREATE INDEX IF NOT EXISTS).`,
  examples: [
    { sql: 'CREATE INDEX users_email_idx ON users (email);', verdict: 'safe' },
    { sql: 'CREATE INDEX ON users (email);', verdict: 'risky' },
  ],
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
        partial: index.whereClause !== undefined,
        columns: plainColumns(index.indexParams),
      },
      target: { table },
    };
  },
  assess(change, context) {
    const { prior } = context;
    const before = prior ?? context.existedBefore;
    // Postgres chose the name: once the migration ran (a shadow copy it was applied to, or the target when it is
    // applied there), the catalog shows it.
    const after = context.after ?? (context.state === 'applied' ? context.target : undefined);
    const chosen = !change.details.index && after && before ? chosenIndex(after, before, { ...change.details, columns: change.details.columns }) : undefined;
    const details = chosen ? { ...change.details, index: { schema: chosen.schema, name: chosen.name } } : change.details;
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
        incomplete: mayHaveExisted(`index ${details.index.name}`),
      };
    }
    return {
      verdict: 'safe',
      evidence: details.ifNotExists || chosen ? 'catalog' : 'static',
      reason: `New ${details.unique ? 'unique ' : ''}index ${details.index.name}${chosen ? ' (the name Postgres chose, read from the database)' : ''}: an index holds no data of its own, so dropping it loses nothing.`,
      rollback: [drop],
    };
  },
});

/** The key columns of an index when each is a plain column, as pg_get_indexdef prints them bare; else undefined. */
function plainColumns(params: Node[] | undefined): string[] | undefined {
  const elements = (params ?? []).map((param) => payload<IndexElem>(param, 'IndexElem'));
  if (elements.length === 0) return undefined;
  const plain = elements.every((element) => element?.name && !element.expr && !element.collation && !element.opclass?.length && (element.ordering ?? 'SORTBY_DEFAULT') === 'SORTBY_DEFAULT' && (element.nulls_ordering ?? 'SORTBY_NULLS_DEFAULT') === 'SORTBY_NULLS_DEFAULT');
  return plain ? elements.map((element) => element!.name!) : undefined;
}
