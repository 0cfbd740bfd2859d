/**
 * Identifiers and literals in generated SQL: the one audited place that turns untrusted text into SQL tokens.
 * Everything migcheck prints or sends as SQL quotes names and values here (DESIGN.md: every byte it prints
 * inside SQL is inert).
 *
 * - Identifiers are quoted exactly when Postgres' quote_ident would quote them (`quoteIdent`), or always
 *   (`quoteIdentAlways`, for probe and maintenance SQL). Postgres is the oracle for keywords: its scanner
 *   tells each word's keyword category.
 * - A name or value that holds control or invisible characters (a newline, ESC, a bidi override) is written
 *   with Unicode escapes (`U&"…"`, `E'…\x1B…'`), so the SQL text itself holds no such byte: it cannot forge a
 *   line in a terminal or a log, and means the same to the server.
 * - Literals use the `E'…'` form whenever they hold a backslash, so they mean the same whatever
 *   `standard_conforming_strings` is.
 * Names are not truncated here: the server truncates every identifier it reads to NAMEDATALEN-1 bytes in its
 * own encoding, so a name printed in full designates the same (truncated) object the migration created.
 */
import { scanSync } from './parser.js';
import type { QualifiedName } from './name.js';
import { hasUnprintable } from './visible.js';

export type { QualifiedName } from './name.js';

const QUOTE_FREE_KEYWORD = new Map<string, boolean>();

function isQuoteFreeKeyword(word: string): boolean {
  let cached = QUOTE_FREE_KEYWORD.get(word);
  if (cached === undefined) {
    const token = scanSync(word).tokens[0];
    // keywordKind: 0 = not a keyword, 1 = unreserved; column-name, type-name and reserved words need quotes.
    cached = !token || token.keywordKind <= 1;
    QUOTE_FREE_KEYWORD.set(word, cached);
  }
  return cached;
}

/** An identifier, quoted where Postgres would need it (`users`, `"Users"`, `"select"`). */
export function quoteIdent(identifier: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(identifier) && isQuoteFreeKeyword(identifier)) return identifier;
  return quoteIdentAlways(identifier);
}

/** An identifier, always double-quoted (`"users"`); `U&"…"` with escapes when it holds unprintable characters. */
export function quoteIdentAlways(identifier: string): string {
  if (!hasUnprintable(identifier)) return `"${identifier.replace(/"/g, '""')}"`;
  // U&"…" identifiers are accepted whatever standard_conforming_strings is (only U&'…' strings depend on it).
  let body = '';
  for (const character of identifier) {
    if (character === '"') body += '""';
    else if (character === '\\') body += '\\\\';
    else if (hasUnprintable(character)) body += unicodeEscape(character);
    else body += character;
  }
  return `U&"${body}"`;
}

function unicodeEscape(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code <= 0xffff ? `\\${hex.padStart(4, '0')}` : `\\+${hex.padStart(6, '0')}`;
}

/**
 * `schema.name` exactly as the server's quote_ident prints it, raw characters inside the quotes: for finding a
 * name in text the server deparsed (a view definition, a constraint's REFERENCES clause). Never for SQL that
 * migcheck prints: that is `sqlName`.
 */
export function serverQuotedName(name: QualifiedName): string {
  const quote = (identifier: string) =>
    /^[a-z_][a-z0-9_$]*$/.test(identifier) && isQuoteFreeKeyword(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`;
  return `${quote(name.schema)}.${quote(name.name)}`;
}

/** `schema.name`, each part quoted where needed. */
export function sqlName(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/** `"schema"."name"`, each part always quoted. */
export function sqlNameAlways(name: QualifiedName): string {
  return `${quoteIdentAlways(name.schema)}.${quoteIdentAlways(name.name)}`;
}

/**
 * A string literal that means the same whatever `standard_conforming_strings` is: `'…'` for plain text,
 * `E'…'` (backslashes doubled, unprintable characters as `\xHH` / `\uHHHH` / `\UHHHHHHHH`) otherwise.
 */
export function quoteLiteral(value: string): string {
  const escaped = value.replace(/'/g, "''");
  if (!value.includes('\\') && !hasUnprintable(value)) return `'${escaped}'`;
  let body = '';
  for (const character of escaped) {
    if (character === '\\') body += '\\\\';
    else if (hasUnprintable(character)) body += stringEscape(character);
    else body += character;
  }
  return `E'${body}'`;
}

function stringEscape(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  if (code < 0x80) return `\\x${hex.padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}

/**
 * `$tag$body$tag$` with a tag the body does not contain, so that nothing in it (a name or a label from a migration)
 * can end the string early.
 */
export function dollarQuoted(body: string): string {
  let tag = 'migcheck';
  for (let n = 1; body.includes(`$${tag}$`); n++) tag = `migcheck${n}`;
  return `$${tag}$${body}$${tag}$`;
}
