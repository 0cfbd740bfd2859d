/**
 * Names in the report. The SQL quoting helpers live in the bottom layer (../sql/quote.ts); they are re-exported
 * here for the modules outside this folder that still import them from changes/.
 */
import type { QualifiedName } from '../sql/name.js';

export { quoteIdent, quoteLiteral, sqlName } from '../sql/quote.js';

/** `schema.name[.column]` unquoted, for the report's `object` field. */
export function displayName(name: QualifiedName, column?: string): string {
  return column === undefined ? `${name.schema}.${name.name}` : `${name.schema}.${name.name}.${column}`;
}
