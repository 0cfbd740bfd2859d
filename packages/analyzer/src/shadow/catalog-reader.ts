/**
 * The catalog readers of the shadow's databases: incremental (../catalog/read/incremental.ts), so that a replay
 * reading the schema before hundreds of migrations and statements pays for what changed, not for the whole schema
 * each time; and on prepared statements, so that the server plans each of its queries once per session.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from '../catalog/index.js';
import { IncrementalCatalogReader } from '../catalog/read/incremental.js';

/**
 * The readers of one server's databases, by database name. A new session on a database goes on from the last
 * reading of the one before it (the replay cursor reconnects after each copy of its state), and a copy of a database
 * starts from its template's last reading.
 */
export class CatalogReaders {
  private readonly byDatabase = new Map<string, { session?: pg.Client; reader: IncrementalCatalogReader }>();

  readerOf(session: pg.Client): IncrementalCatalogReader {
    const database = session.database;
    if (database === undefined) return new IncrementalCatalogReader(preparing(session));
    const known = this.byDatabase.get(database);
    if (known?.session === session) return known.reader;
    const reader = known ? known.reader.on(preparing(session)) : new IncrementalCatalogReader(preparing(session));
    this.byDatabase.set(database, { session, reader });
    return reader;
  }

  /** See IncrementalCatalogReader.remember: for the session's database. */
  remember(session: pg.Client): () => void {
    return this.readerOf(session).remember();
  }

  copied(template: string, copy: string): void {
    const known = this.byDatabase.get(template);
    if (known) this.byDatabase.set(copy, { reader: known.reader });
  }

  dropped(database: string): void {
    this.byDatabase.delete(database);
  }
}

/** SQLSTATE invalid_sql_statement_name: the server no longer has a statement the client prepared. */
const STATEMENT_GONE = '26000';

/**
 * `session`, with each query text prepared once under a name of its own. A migration run on the same session may
 * drop the prepared statements (`DEALLOCATE ALL`); the session then goes on without them.
 */
function preparing(session: pg.Client): Queryable {
  let prepare = true;
  return {
    async query<R>(text: string, values: unknown[] = []) {
      if (prepare) {
        const name = `migcheck_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
        try {
          return await session.query<R & pg.QueryResultRow>({ name, text, values });
        } catch (error) {
          if ((error as { code?: unknown }).code !== STATEMENT_GONE) throw error;
          prepare = false;
        }
      }
      return session.query<R & pg.QueryResultRow>(text, values);
    },
  };
}
