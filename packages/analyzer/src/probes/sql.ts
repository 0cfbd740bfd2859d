/**
 * Building probe SQL. Identifiers are always quoted; values travel as parameters; the few fragments that must be
 * spliced in (a type name validated by the server, a column default or check expression deparsed by the server's
 * own catalog) are only ever sent through the extended protocol, which runs exactly one statement.
 */
import type pg from 'pg';
import type { QualifiedName } from '../sql/name.js';

/** `schema.name`, for people. */
export function display(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

/**
 * One statement through the extended protocol (even without parameters: the simple protocol would run every
 * statement of a string that holds several).
 */
export async function run<R extends pg.QueryResultRow = Record<string, unknown>>(
  client: pg.ClientBase,
  text: string,
  values: unknown[] = [],
  /** A name makes it a prepared statement, planned once per connection (for the catalog queries every probe runs). */
  name?: string,
): Promise<R[]> {
  // `queryMode` is a node-postgres option that @types/pg does not declare.
  const config: pg.QueryConfig & { queryMode: 'extended' } = { text, values, queryMode: 'extended', ...(name ? { name } : {}) };
  const result = await client.query<R>(config);
  return result.rows;
}
