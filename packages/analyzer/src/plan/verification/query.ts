/**
 * The shape every verification query shares, and the catalog look-ups they are made of. Names reach the server
 * only as literals (quoteLiteral) compared with catalog names, never as identifiers it would resolve through the
 * search_path; the literals are cast to `name`, which truncates them to 63 bytes as Postgres truncated the name
 * when the migration created the object, so a long name cannot make a check pass for want of a match.
 */
import { quoteLiteral, serverQuotedName } from '../../sql/quote.js';
import type { QualifiedName } from '../../sql/name.js';

/** A name literal, compared with a catalog `name` column. */
export function nameLiteral(name: string): string {
  return `${quoteLiteral(name)}::name`;
}

/**
 * `SELECT check, object, detail FROM (…) WHERE detail IS NOT NULL;`: `detailSql` is an expression over `fromSql`
 * that is NULL when all is well and says what is wrong otherwise.
 */
export function checkQuery(check: string, object: string, detailSql: string, fromSql: string): string {
  return `SELECT ${quoteLiteral(check)}::text AS "check", ${quoteLiteral(object)}::text AS object, found.detail FROM (SELECT (${detailSql})::text AS detail FROM ${fromSql}) AS found WHERE found.detail IS NOT NULL;`;
}

/** The relation `name` (alias `c`, its schema `n`), matched by catalog names. */
export function relationMatches(name: QualifiedName): string {
  return `n.nspname = ${nameLiteral(name.schema)} AND c.relname = ${nameLiteral(name.name)}`;
}

export const RELATION_JOIN = 'pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace';

/** One row, whatever the look-up finds: `FROM (SELECT 1) AS one LEFT JOIN (…) ON …`, so a missing object is a row. */
export function oneRowJoin(joined: string, on: string): string {
  return `(SELECT 1) AS one LEFT JOIN (${joined}) ON ${on}`;
}

/**
 * The prior schema was read with an empty search_path, so its deparsed text qualifies every user object
 * (`public.norm(code)`, `'ok'::public.mood`); on the target, whose search_path usually holds the object's own
 * schema, the same definition prints some of them bare (`norm(code)`), others still qualified (`ON public.orders`).
 * Both texts are compared with the object's own schema qualifier removed, on both sides alike.
 */
function withoutQualifier(schema: string): string {
  return serverQuotedName({ schema, name: 'x' }).slice(0, -1);
}

/** SQL true when `expression` (text, NULL for none) is not `expected`, up to the qualifier of `schema`. */
export function differsFrom(expression: string, expected: string | null, schema: string): string {
  if (expected === null) return `${expression} IS NOT NULL`;
  const qualifier = withoutQualifier(schema);
  return `pg_catalog.replace(${expression}, ${quoteLiteral(qualifier)}, '') IS DISTINCT FROM ${quoteLiteral(expected.split(qualifier).join(''))}`;
}

/** A catalog key for one object, so that the oldest change to it decides what the rollback must leave. */
export function objectKey(kind: 'column' | 'relation' | 'constraint', ...parts: string[]): string {
  return JSON.stringify([kind, ...parts]);
}
