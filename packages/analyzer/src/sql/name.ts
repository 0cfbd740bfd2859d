import { createHash } from 'node:crypto';

/** A schema-qualified object name, as the parser and the catalog give it: unquoted, exact. */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** Postgres keeps the first NAMEDATALEN-1 bytes of an identifier and drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * A name migcheck makes up (a backup table named after a table and a column) that Postgres keeps as it is:
 * when it would be truncated, its head is kept and a hash of the whole name appended, so two long names that
 * share their first 63 bytes still name two different objects.
 */
export function fittedIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  const suffix = `_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  let head = '';
  for (const character of name) {
    if (Buffer.byteLength(head + character, 'utf8') > MAX_IDENTIFIER_BYTES - suffix.length) break;
    head += character;
  }
  return `${head}${suffix}`;
}
