/**
 * Text helpers for the online forms: the statement's tokens (the real scanner), the relation as written,
 * and guards for statements Postgres has no IF [NOT] EXISTS for. Names and values are quoted through
 * src/sql/quote.ts only.
 */
import type { Node, RangeVar, ScanToken } from 'libpg-query';
import { scanSync } from '../../sql/parser.js';
import { relationOid, typeOid, writtenRelation, writtenType } from '../../sql/catalog-oid.js';
import { dollarQuoted, quoteIdent, quoteLiteral } from '../../sql/quote.js';
import { LOCKS, type OnlineStep } from './step.js';

/** The statement's tokens; `start`/`end` are byte offsets in its UTF-8 text. */
export function tokens(text: string): ScanToken[] {
  return scanSync(text).tokens;
}

/** The UTF-8 bytes [start, end) of `text`. */
export function sliceBytes(text: string, start: number, end?: number): string {
  return Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');
}

/** A relation as SQL: `schema.name` when qualified, `name` alone otherwise (resolved by search_path as the statement is). */
export function relationSql(relation: RangeVar | undefined): string | undefined {
  if (!relation?.relname) return undefined;
  return relation.schemaname ? `${quoteIdent(relation.schemaname)}.${quoteIdent(relation.relname)}` : quoteIdent(relation.relname);
}

/** The relation as a snapshot key (`schema.table`, exact names); unqualified names are taken to be in public. */
export function relationKey(relation: RangeVar | undefined): string | undefined {
  return relation?.relname ? `${relation.schemaname ?? 'public'}.${relation.relname}` : undefined;
}

/** A DROP statement's object (`[schema, name]`) as a snapshot key; an unqualified name is taken to be in public. */
export function dottedKey(node: Node): string | undefined {
  const parts = dottedParts(node);
  if (!parts || parts.length > 2) return undefined;
  return parts.length === 2 ? parts.join('.') : `public.${parts[0]}`;
}

/** The index name of `CREATE INDEX name ON schema.t`: in the table's schema. */
export function indexSqlName(relation: RangeVar | undefined, index: string): string {
  return relation?.schemaname ? `${quoteIdent(relation.schemaname)}.${quoteIdent(index)}` : quoteIdent(index);
}

/** A dotted name of a DROP statement's object list (`[schema, name]`) as SQL. */
export function dottedName(node: Node): string | undefined {
  return dottedParts(node)?.map(quoteIdent).join('.');
}

/** The exact parts of a DROP statement's object list; undefined when it is not a list of names. */
function dottedParts(node: Node): string[] | undefined {
  const items = (node as { List?: { items?: Node[] } }).List?.items ?? [];
  const parts = items.map((item) => (item as { String?: { sval?: string } }).String?.sval);
  return parts.length > 0 && parts.every((part): part is string => part !== undefined) ? parts : undefined;
}

/** The statement text without its trailing semicolon. */
export function bare(text: string): string {
  return text.trim().replace(/;\s*$/, '');
}

/** The text with `insertion` inserted at a byte offset. */
export function insertAt(text: string, byte: number, insertion: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return `${bytes.subarray(0, byte).toString('utf8')}${insertion}${bytes.subarray(byte).toString('utf8')}`;
}

/** The byte offset right after the first token named `keyword` (case-insensitive) from token `from`, if any. */
export function afterKeyword(list: ScanToken[], keyword: string, from = 0): number | undefined {
  const found = list.slice(from).find((token) => token.text.toUpperCase() === keyword);
  return found?.end;
}

/**
 * `ALTER TABLE [IF EXISTS] [ONLY] schema.t`: the text up to the end of the relation name, from the relation's
 * location in the statement (the scanner then tells where its dotted name ends).
 */
export function alterPrefix(text: string, relation: RangeVar | undefined): string | undefined {
  if (relation?.location === undefined) return undefined;
  const list = tokens(text);
  let index = list.findIndex((token) => token.start === relation.location);
  if (index < 0) return undefined;
  while (list[index + 1]?.text === '.' && list[index + 2]) index += 2;
  return sliceBytes(text, 0, list[index]!.end);
}

/**
 * `DO $tag$ BEGIN IF condition THEN statement; END IF; END $tag$;`: a statement that Postgres has no IF [NOT]
 * EXISTS for, run only when `condition` holds, so the script can run again. PL/pgSQL plans the statement only
 * when it runs. The dollar-quote tag is one the statement does not contain, so nothing in it can end the body.
 */
export function guarded(condition: string, statement: string): string {
  return `DO ${dollarQuoted(` BEGIN IF ${condition} THEN ${bare(statement)}; END IF; END `)};`;
}

/** The relation's oid, null when it does not exist: looked up by its exact name (../../sql/catalog-oid.ts says why). */
export function regclass(relationSqlText: string): string {
  const name = writtenRelation(relationSqlText);
  return name ? relationOid(name) : `to_regclass(${quoteLiteral(relationSqlText)})`;
}

/** The type's oid, null when it does not exist: looked up by its exact name. */
export function regtype(typeSqlText: string): string {
  const name = writtenType(typeSqlText);
  return name ? typeOid(name) : `to_regtype(${quoteLiteral(typeSqlText)})`;
}

/**
 * Before `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS i`: a build that stopped (a lock_timeout while it waited
 * for older transactions, a cancel) leaves `i` INVALID, and IF NOT EXISTS would keep it. This drops such a leftover,
 * and only that (ACCESS EXCLUSIVE, catalog only; DROP INDEX CONCURRENTLY cannot run in a DO block).
 */
export function dropInvalidIndex(indexSqlText: string, table: string): OnlineStep {
  return {
    sql: guarded(`EXISTS (SELECT FROM pg_catalog.pg_index WHERE indexrelid = ${regclass(indexSqlText)} AND NOT indisvalid)`, `DROP INDEX ${indexSqlText}`),
    transactional: true,
    lock: `${LOCKS.accessExclusive} on ${table}, only when an interrupted build left ${indexSqlText} invalid`,
    effect: 'catalog only, brief once granted',
    scans: false,
    conditional: true,
  };
}

/** True when the constraint named `name` exists on the relation. */
export function constraintExists(relationSqlText: string, name: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = ${regclass(relationSqlText)} AND conname = ${quoteLiteral(name)})`;
}

/** True while the constraint exists and is not validated yet: VALIDATE is due (and takes its lock only then). */
export function constraintNotValidated(relationSqlText: string, name: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = ${regclass(relationSqlText)} AND conname = ${quoteLiteral(name)} AND NOT convalidated)`;
}

/** True while the column exists and allows NULL. */
export function columnNullable(relationSqlText: string, column: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${regclass(relationSqlText)} AND attname = ${quoteLiteral(column)} AND attnum > 0 AND NOT attisdropped AND NOT attnotnull)`;
}

/** True when the relation exists and has no constraint named `name`: where re-adding it is due. */
export function constraintMissing(relationSqlText: string, name: string): string {
  return `${regclass(relationSqlText)} IS NOT NULL AND NOT ${constraintExists(relationSqlText, name)}`;
}

/** True when the column exists on the relation. */
export function columnExists(relationSqlText: string, column: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${regclass(relationSqlText)} AND attname = ${quoteLiteral(column)} AND attnum > 0 AND NOT attisdropped)`;
}
