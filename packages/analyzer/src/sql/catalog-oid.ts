/**
 * A relation's or a type's oid looked up in the catalog by its exact name, for guards in generated SQL (`IF EXISTS
 * (… WHERE conrelid = <oid>)`).
 *
 * Not `to_regclass('name')` / `to_regtype('name')`: those parse their text as a name, and do not read every form
 * migcheck writes (`U&"…"` escapes for names with control characters): Postgres 16+ returns NULL, so a guarded
 * step is skipped without a word, and 15 fails. Here the name is compared as a literal, which holds any bytes.
 */
import { hasSqlDetails, parseSync } from './parser.js';
import { quoteLiteral } from './quote.js';

/** An object name as written in SQL, split into its exact parts; no schema when it is written unqualified. */
export interface WrittenName {
  schema?: string;
  name: string;
}

/** `(SELECT oid …)` of the relation, NULL when there is none; an unqualified name resolves by the search path. */
export function relationOid(relation: WrittenName): string {
  return catalogOid('pg_class', 'relname', 'relnamespace', 'pg_table_is_visible', relation);
}

/** `(SELECT oid …)` of the type, NULL when there is none; an unqualified name resolves by the search path. */
export function typeOid(type: WrittenName): string {
  return catalogOid('pg_type', 'typname', 'typnamespace', 'pg_type_is_visible', type);
}

function catalogOid(catalog: string, nameColumn: string, namespaceColumn: string, visible: string, object: WrittenName): string {
  const byName = `o.${nameColumn} = ${quoteLiteral(object.name)}`;
  return object.schema === undefined
    ? `(SELECT o.oid FROM pg_catalog.${catalog} AS o WHERE ${byName} AND pg_catalog.${visible}(o.oid))`
    : `(SELECT o.oid FROM pg_catalog.${catalog} AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.${namespaceColumn} WHERE n.nspname = ${quoteLiteral(object.schema)} AND ${byName})`;
}

/**
 * The parts of a relation name written in SQL (`public."Users"`, `U&"a\000Ab"`), read by the real parser; undefined
 * when the text is not one name. The parser must be loaded (source/parse.ts loadParser).
 */
export function writtenRelation(sqlText: string): WrittenName | undefined {
  return namesIn(`SELECT FROM ${sqlText}`, (node) => {
    const from = (node as { SelectStmt?: { fromClause?: Array<{ RangeVar?: { schemaname?: string; relname?: string; catalogname?: string } }> } }).SelectStmt?.fromClause;
    const range = from?.length === 1 ? from[0]!.RangeVar : undefined;
    return range?.relname && !range.catalogname ? [range.schemaname, range.relname] : undefined;
  });
}

/** The parts of a type name written in SQL, read by the real parser; undefined when the text is not one type name. */
export function writtenType(sqlText: string): WrittenName | undefined {
  return namesIn(`SELECT NULL::${sqlText}`, (node) => {
    const targets = (node as { SelectStmt?: { targetList?: Array<{ ResTarget?: { val?: { TypeCast?: { typeName?: { names?: Array<{ String?: { sval?: string } }>; arrayBounds?: unknown[] } } } } }> } }).SelectStmt?.targetList;
    const typeName = targets?.length === 1 ? targets[0]!.ResTarget?.val?.TypeCast?.typeName : undefined;
    const parts = typeName?.names?.map((part) => part.String?.sval);
    if (!parts || typeName?.arrayBounds || parts.length < 1 || parts.length > 2 || parts.some((part) => part === undefined)) return undefined;
    return parts.length === 2 ? [parts[0], parts[1]!] : [undefined, parts[0]!];
  });
}

function namesIn(sql: string, read: (node: unknown) => [string | undefined, string] | undefined): WrittenName | undefined {
  let statements;
  try {
    statements = parseSync(sql).stmts ?? [];
  } catch (error) {
    if (!hasSqlDetails(error)) throw error; // the parser is not loaded: never a silent fallback
    return undefined;
  }
  if (statements.length !== 1) return undefined;
  const parts = read(statements[0]!.stmt);
  if (!parts) return undefined;
  const [schema, name] = parts;
  return schema === undefined ? { name } : { schema, name };
}
