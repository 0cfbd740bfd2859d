/**
 * The one thing the catalog reader needs from a connection. A `pg.Client` or `pg.PoolClient` satisfies it
 * structurally, so this module (and its callers) need not depend on `pg`.
 *
 * It must be ONE session (not a `pg.Pool`, which may run each query on another connection): the reader fixes
 * session settings such as `search_path` for its queries and restores them afterwards.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
