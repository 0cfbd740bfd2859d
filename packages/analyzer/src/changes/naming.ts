/** Names in the report. SQL quoting is the bottom layer's (../sql/quote.ts). */
import type { QualifiedName } from '../sql/name.js';

/** `schema.name[.column]` unquoted, for the report's `object` field. */
export function displayName(name: QualifiedName, column?: string): string {
  return column === undefined ? `${name.schema}.${name.name}` : `${name.schema}.${name.name}.${column}`;
}
