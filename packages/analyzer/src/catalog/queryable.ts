/**
 * The one thing the catalog reader needs from a connection. A `pg.Client` or `pg.PoolClient` satisfies it
 * structurally, so this module (and its callers) need not depend on `pg`.
 *
 * It must be ONE session (not a `pg.Pool`, which may run each query on another connection): the reader fixes
 * session settings such as `search_path` for its queries and restores them afterwards.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /**
   * True when queries may be asked for before the last one has answered, and run in the order asked for (the shadow's
   * session that pipelines them: shadow/catalog-reader.ts). A `pg.Client` is not: node-postgres deprecates it, with
   * a warning on stderr.
   */
  readonly takesQueriesAtOnce?: boolean;
}

/**
 * `db`, to ask for queries at once (a reading asks for its families so): itself when it takes them so, else a
 * session that sends each query once the one before it has answered, and none after one has failed (the reading
 * stops there, as one query after the other would: a query that timed out may still be running on the session).
 */
export function askedAtOnce(db: Queryable): Queryable {
  if (db.takesQueriesAtOnce) return db;
  let previous: Promise<unknown> = Promise.resolve();
  return {
    takesQueriesAtOnce: true,
    query<R>(sql: string, params?: unknown[]) {
      const answer = previous.then(() => db.query<R>(sql, params));
      previous = answer;
      return answer;
    },
  };
}
