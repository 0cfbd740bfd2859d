/**
 * Identifiers in generated SQL: quoted exactly when Postgres' quote_ident would quote them.
 * Postgres is the oracle for keywords: the scanner tells each word's keyword category.
 */
import { scanSync } from 'libpg-query';
import type { QualifiedName } from './types.js';

const KEYWORD_NEEDS_QUOTES = new Map<string, boolean>();

function isQuoteFreeKeyword(word: string): boolean {
  let cached = KEYWORD_NEEDS_QUOTES.get(word);
  if (cached === undefined) {
    const token = scanSync(word).tokens[0];
    // keywordKind: 0 = not a keyword, 1 = unreserved; column-name, type-name and reserved words need quotes.
    cached = !token || token.keywordKind <= 1;
    KEYWORD_NEEDS_QUOTES.set(word, cached);
  }
  return cached;
}

export function quoteIdent(identifier: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(identifier) && isQuoteFreeKeyword(identifier)) return identifier;
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** `schema.name`, quoted where needed, for SQL. */
export function sqlName(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/** `schema.name[.column]` unquoted, for the report's `object` field. */
export function displayName(name: QualifiedName, column?: string): string {
  return column === undefined ? `${name.schema}.${name.name}` : `${name.schema}.${name.name}.${column}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
