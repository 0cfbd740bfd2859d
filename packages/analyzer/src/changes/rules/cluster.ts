import type { AlterTableCmd, ClusterStmt } from 'libpg-query';
import { findTable } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface Cluster {
  table: QualifiedName;
  relationKind: string | undefined;
  /** The index that becomes the clustered one; undefined for SET WITHOUT CLUSTER. */
  index: string | undefined;
  statement: 'CLUSTER … USING' | 'CLUSTER ON' | 'SET WITHOUT CLUSTER';
}

export const cluster = defineRule<ClusterStmt | AlterTableCmd, Cluster>({
  id: 'cluster',
  kind: 'alter_object',
  readsPrior: true,
  title: 'Clustered index (CLUSTER … USING, CLUSTER ON, SET WITHOUT CLUSTER)',
  explain: `CLUSTER t USING i rewrites the table in the order of index i and marks i as the table's clustered
index (pg_index.indisclustered), which later CLUSTER t commands use; ALTER TABLE … CLUSTER ON sets the mark
without rewriting, SET WITHOUT CLUSTER clears it. The row order does not matter to the application, the mark
persists: the rollback restores the mark the prior schema shows (CLUSTER ON the index that had it, or SET
WITHOUT CLUSTER). Without the prior schema, which index had the mark is unknown: risky. A plain CLUSTER t
(or CLUSTER) reuses the mark and changes nothing persistent.`,
  examples: [
    { sql: 'CLUSTER users USING users_email_idx;', verdict: 'risky' },
  ],
  on: ['ClusterStmt', 'AlterTableCmd:AT_ClusterOn', 'AlterTableCmd:AT_DropCluster'],
  recognise(node, context) {
    if (context.statement.tag === 'ClusterStmt') {
      const statement = node as ClusterStmt;
      // CLUSTER t / CLUSTER: the mark stays where it is; the rewrite changes no data.
      if (!statement.relation || !statement.indexname) return [];
      const table = qualify(statement.relation, context.defaultSchema);
      return draft(table, 'OBJECT_TABLE', statement.indexname, 'CLUSTER … USING');
    }
    const command = node as AlterTableCmd;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    const kind = context.alterTable?.objtype;
    return command.subtype === 'AT_ClusterOn' ? draft(table, kind, command.name, 'CLUSTER ON') : draft(table, kind, undefined, 'SET WITHOUT CLUSTER');
  },
  assess({ details }, { prior }): Assessment {
    const what = `${details.statement} on ${displayName(details.table)}`;
    if (!prior || !findTable(prior, details.table)) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `${what} changes which index is marked clustered (the one later CLUSTER commands use), but ${prior ? 'the table is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so the previous mark cannot be restored.`,
        rollback: [],
      };
    }
    const previous = clusteredIndex(prior, details.table);
    if (previous === details.index) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${what}: ${previous ? `${previous} was already the clustered index` : 'no index was clustered before'}; nothing to undo.`, rollback: [] };
    }
    const alter = `${alterRelation(details.relationKind)} ${sqlName(details.table)}`;
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `${what} moves the clustered mark; ${previous ? `${previous} had it before: CLUSTER ON restores it` : 'no index had it before: SET WITHOUT CLUSTER restores that'}. No data changes (the row order is not restored, and does not need to be).`,
      rollback: [step(previous ? `${alter} CLUSTER ON ${quoteIdent(previous)};` : `${alter} SET WITHOUT CLUSTER;`, 'any')],
    };
  },
});

function draft(table: QualifiedName, relationKind: string | undefined, index: string | undefined, statement: Cluster['statement']) {
  return { object: displayName(table), details: { table, relationKind, index, statement }, target: { table } };
}

function clusteredIndex(prior: SchemaSnapshot, table: QualifiedName): string | undefined {
  const key = qualifiedName(table.schema, table.name);
  return Object.values(prior.indexes).find((index) => index.table === key && index.clustered)?.name;
}
