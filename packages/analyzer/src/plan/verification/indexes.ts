/**
 * Indexes (and, for an added table, the table): one the rollback recreates must be there, valid, with the
 * definition `pg_get_indexdef` gave before the migrations; one it drops must be gone.
 */
import { findIndex } from '../../catalog/lookup.js';
import type { IndexInfo } from '../../catalog/snapshot.js';
import type { QualifiedName } from '../../changes/types.js';
import { quoteLiteral } from '../../sql/quote.js';
import { unverified, type Claim, type ClaimsOf } from './claim.js';
import { checkQuery, differsFrom, objectKey, oneRowJoin, RELATION_JOIN, relationMatches } from './query.js';

function objectName(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

export function relationKey(name: QualifiedName): string {
  return objectKey('relation', name.schema, name.name);
}

/** A row when the index is missing, invalid (a CREATE INDEX CONCURRENTLY that failed), or defined otherwise. */
export function indexRestoredQuery(expected: IndexInfo): string {
  const definition = 'pg_catalog.pg_get_indexdef(i.indexrelid)';
  const detail = [
    'CASE',
    "WHEN i.indexrelid IS NULL THEN 'missing'",
    `WHEN ${differsFrom(definition, expected.definition, expected.schema)} THEN 'defined as ' || ${definition} || ', expected ' || ${quoteLiteral(expected.definition)}`,
    `WHEN NOT i.indisvalid THEN 'invalid (a CREATE INDEX CONCURRENTLY that failed): drop it and run its step again'`,
    'END',
  ].join(' ');
  const joined = `pg_catalog.pg_index AS i JOIN ${RELATION_JOIN} ON c.oid = i.indexrelid`;
  return checkQuery('index restored', objectName(expected), detail, oneRowJoin(joined, relationMatches(expected)));
}

/** A row when a relation (table, index…) of that name still exists. */
export function relationDroppedQuery(check: string, name: QualifiedName): string {
  return checkQuery(check, objectName(name), "'still exists'", `${RELATION_JOIN} WHERE ${relationMatches(name)}`);
}

function dropped(check: string, name: QualifiedName): Claim {
  return { key: relationKey(name), query: { phase: 'after', check, object: objectName(name), sql: relationDroppedQuery(check, name) } };
}

export const indexClaims: ClaimsOf = (change) => {
  const { change: recognised } = change.item;
  if (recognised.kind === 'add_table') return [dropped('table dropped', (recognised.details as { table: QualifiedName }).table)];
  if (recognised.kind === 'add_index') {
    const { index, table } = recognised.details as { index: QualifiedName | undefined; table: QualifiedName };
    if (index) return [dropped('index dropped', index)];
    return [unverified(objectKey('relation', table.schema, table.name, 'unnamed index'), recognised.object, 'the index has no name in the migration (Postgres chose it), so no query can look it up')];
  }
  if (recognised.kind === 'drop_index') {
    const { index } = recognised.details as { index: QualifiedName };
    const key = relationKey(index);
    if (!change.prior) return [unverified(key, objectName(index), change.priorUnknown)];
    const before = findIndex(change.prior, index);
    if (!before) return [unverified(key, objectName(index), 'the schema read before the migration has no such index')];
    return [{ key, query: { phase: 'after', check: 'index restored', object: objectName(index), sql: indexRestoredQuery(before) } }];
  }
  return undefined;
};
