/**
 * Table constraints: one the rollback re-adds must be there with the definition `pg_get_constraintdef` gave before
 * the migrations, validated if it was (a step re-adds it NOT VALID, then VALIDATE); one it drops must be gone.
 */
import { findConstraint } from '../../catalog/lookup.js';
import type { ConstraintInfo } from '../../catalog/snapshot.js';
import type { QualifiedName } from '../../changes/types.js';
import { quoteLiteral } from '../../sql/quote.js';
import { unverified, type Claim, type ClaimsOf } from './claim.js';
import { checkQuery, differsFrom, nameLiteral, objectKey, oneRowJoin, RELATION_JOIN, relationMatches } from './query.js';

const CONSTRAINT_JOIN = `pg_catalog.pg_constraint AS k JOIN ${RELATION_JOIN} ON c.oid = k.conrelid`;

function objectName(table: QualifiedName, name: string): string {
  return `${table.schema}.${table.name}.${name}`;
}

function constraintKey(table: QualifiedName, name: string): string {
  return objectKey('constraint', table.schema, table.name, name);
}

function constraintMatches(table: QualifiedName, name: string): string {
  return `${relationMatches(table)} AND k.conname = ${nameLiteral(name)}`;
}

/** A row when the constraint is missing, defined otherwise, or not validated while it was before. */
export function constraintRestoredQuery(table: QualifiedName, expected: ConstraintInfo): string {
  // pg_get_constraintdef ends with ` NOT VALID` until the constraint is validated: compared apart, since the
  // rollback re-adds a constraint NOT VALID, then validates it (plan/online/).
  const definition = "pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(k.oid), ' NOT VALID$', '')";
  const expectedDefinition = expected.definition.replace(/ NOT VALID$/, '');
  const detail = [
    'CASE',
    "WHEN k.oid IS NULL THEN 'missing'",
    `WHEN ${differsFrom(definition, expectedDefinition, table.schema)} THEN 'defined as ' || ${definition} || ', expected ' || ${quoteLiteral(expectedDefinition)}`,
    ...(expected.validated ? ["WHEN NOT k.convalidated THEN 'NOT VALID: run its VALIDATE CONSTRAINT step'"] : []),
    'END',
  ].join(' ');
  return checkQuery('constraint restored', objectName(table, expected.name), detail, oneRowJoin(CONSTRAINT_JOIN, constraintMatches(table, expected.name)));
}

/** A row when a constraint of that name is still on the table. */
export function constraintDroppedQuery(table: QualifiedName, name: string): string {
  return checkQuery('constraint dropped', objectName(table, name), "'still exists'", `${CONSTRAINT_JOIN} WHERE ${constraintMatches(table, name)}`);
}

export const constraintClaims: ClaimsOf = (change) => {
  const { change: recognised } = change.item;
  if (recognised.kind !== 'add_constraint' && recognised.kind !== 'drop_constraint') return undefined;
  const { table, name } = recognised.details as { table: QualifiedName; name: string | undefined };
  if (name === undefined) {
    return [unverified(objectKey('constraint', table.schema, table.name, ''), recognised.object, 'the constraint has no name in the migration (Postgres chose it), so no query can look it up')];
  }
  const key = constraintKey(table, name);
  const object = objectName(table, name);
  if (recognised.kind === 'add_constraint') return [{ key, query: { phase: 'after', check: 'constraint dropped', object, sql: constraintDroppedQuery(table, name) } }];
  if (!change.prior) return [unverified(key, object, change.priorUnknown)];
  const before = findConstraint(change.prior, table, name);
  if (!before) return [unverified(key, object, 'the schema read before the migration has no such constraint')];
  return [{ key, query: { phase: 'after', check: 'constraint restored', object, sql: constraintRestoredQuery(table, before) } } satisfies Claim];
};
