/**
 * `CREATE INDEX i ON t (…)` → `CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (…)`: built without blocking
 * writes (SHARE UPDATE EXCLUSIVE, two scans), outside a transaction block, skipped when it already exists.
 */
import type { IndexStmt } from 'libpg-query';
import { LOCKS, type OnlineForm, type OnlineStep } from './step.js';
import { afterKeyword, bare, dropInvalidIndex, indexSqlName, insertAt, relationKey, relationSql, tokens } from './sql.js';

export const createIndex: OnlineForm = {
  kind: 'CREATE INDEX',
  online(statement, context) {
    const index = (statement.node as { IndexStmt?: IndexStmt }).IndexStmt;
    const table = relationSql(index?.relation);
    if (!index?.idxname || !table) return undefined; // IF NOT EXISTS, and the leftover check, need a name
    const tableKey = relationKey(index.relation);
    if (tableKey && context.isPartitioned(tableKey) && !index.concurrent) return [onPartitionedTable(statement.text, index, table)];
    let sql = bare(statement.text);
    if (!index.concurrent || !index.if_not_exists) {
      const at = afterKeyword(tokens(sql), 'INDEX');
      if (at === undefined) return undefined;
      const concurrently = index.concurrent ? '' : ' CONCURRENTLY';
      const ifNotExists = index.if_not_exists ? '' : ' IF NOT EXISTS';
      // `CREATE INDEX CONCURRENTLY IF NOT EXISTS name`: both go right after INDEX (or after CONCURRENTLY when written).
      sql = index.concurrent ? insertAt(sql, afterKeyword(tokens(sql), 'CONCURRENTLY')!, ifNotExists) : insertAt(sql, at, `${concurrently}${ifNotExists}`);
    }
    const step: OnlineStep = {
      sql: `${sql};`,
      transactional: false,
      lock: `${LOCKS.shareUpdateExclusive} on ${table}`,
      effect: 'scans the table twice to build the index, writes continue',
      scans: true,
    };
    return [dropInvalidIndex(indexSqlName(index.relation, index.idxname!), table), step];
  },
};

/**
 * Postgres builds no index CONCURRENTLY on a partitioned table: `CREATE INDEX IF NOT EXISTS` under SHARE on it and
 * its partitions, which blocks writes while every partition is scanned.
 */
function onPartitionedTable(text: string, index: IndexStmt, table: string): OnlineStep {
  let sql = bare(text);
  const at = afterKeyword(tokens(sql), 'INDEX');
  if (!index.if_not_exists && at !== undefined) sql = insertAt(sql, at, ' IF NOT EXISTS');
  return {
    sql: `${sql};`,
    transactional: true,
    lock: `${LOCKS.share} on ${table} and each of its partitions`,
    effect: 'scans every partition to build the index, writes wait; no CONCURRENTLY on a partitioned table',
    scans: true,
    blocksWrites: {
      alternative: `build the index on each partition of ${table} with CREATE INDEX CONCURRENTLY, then CREATE INDEX … ON ONLY ${table} and ALTER INDEX … ATTACH PARTITION each`,
    },
  };
}
