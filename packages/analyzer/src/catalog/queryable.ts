/**
 * The one thing the catalog reader needs from a connection. A `pg.Client`, `pg.Pool` or `pg.PoolClient`
 * satisfies it structurally, so this module (and its callers) need not depend on `pg`.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
