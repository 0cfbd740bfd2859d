/**
 * The catalog readers of the shadow's databases: incremental (../catalog/read/incremental.ts), so that a replay
 * reading the schema before hundreds of migrations and statements pays for what changed, not for the whole schema
 * each time; and on prepared statements, so that the server plans each of its queries once per session.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from '../catalog/index.js';
import { IncrementalCatalogReader } from '../catalog/read/incremental.js';
import { canPipeline, runPipeline } from './pipeline.js';

/**
 * The readers of one server's databases, by database name. A new session on a database goes on from the last
 * reading of the one before it (the replay cursor reconnects after each copy of its state), and a copy of a database
 * starts from its template's last reading.
 */
export class CatalogReaders {
  private readonly byDatabase = new Map<string, { session?: pg.Client; reader: IncrementalCatalogReader }>();

  readerOf(session: pg.Client): IncrementalCatalogReader {
    const database = session.database;
    if (database === undefined) return new IncrementalCatalogReader(pipelining(session));
    const known = this.byDatabase.get(database);
    if (known?.session === session) return known.reader;
    const reader = known ? known.reader.on(pipelining(session)) : new IncrementalCatalogReader(pipelining(session));
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

interface Waiting {
  name: string;
  text: string;
  values: unknown[];
  settle: (outcome: { rows: unknown[] } | { error: unknown }) => void;
}

/**
 * `session`, with each query text prepared once under a name of its own, and the queries asked for together (at once,
 * before the code asking waits: a reading's families are read so) sent together, in one round trip (./pipeline.ts),
 * in the order they were asked for. A migration run on the same session may drop the prepared statements
 * (`DEALLOCATE ALL`); the session then goes on without them.
 */
export function pipelining(session: pg.Client): Queryable & { readonly takesQueriesAtOnce: true; readonly roundTrips: number } {
  let prepare = true;
  let waiting: Waiting[] = [];
  // One batch after the other, so that the queries reach the session in the order they were asked for.
  let sending = Promise.resolve();
  let roundTrips = 0;

  const one = async (query: Waiting): Promise<{ rows: unknown[] }> => {
    roundTrips++;
    if (prepare) {
      try {
        return await session.query({ name: query.name, text: query.text, values: query.values });
      } catch (error) {
        if ((error as { code?: unknown }).code !== STATEMENT_GONE) throw error;
        prepare = false;
      }
    }
    return session.query(query.text, query.values);
  };

  const send = async (batch: Waiting[]): Promise<void> => {
    if (prepare && batch.length > 1 && canPipeline(session)) {
      try {
        roundTrips++;
        const results = await runPipeline(session, batch);
        batch.forEach((query, index) => query.settle(results[index]!));
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== STATEMENT_GONE) {
          for (const query of batch) query.settle({ error });
          return;
        }
        prepare = false; // and nothing of the batch ran: one at a time, unprepared
      }
    }
    for (const query of batch) {
      try {
        query.settle(await one(query));
      } catch (error) {
        query.settle({ error });
      }
    }
  };

  return {
    takesQueriesAtOnce: true,
    get roundTrips() {
      return roundTrips;
    },
    query<R>(text: string, values: unknown[] = []) {
      const name = `migcheck_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      return new Promise<{ rows: R[] }>((resolve, reject) => {
        const settle = (outcome: { rows: unknown[] } | { error: unknown }) => ('error' in outcome ? reject(outcome.error) : resolve(outcome as { rows: R[] }));
        waiting.push({ name, text, values, settle });
        if (waiting.length > 1) return;
        // Once the code asking runs out: queries asked for at once (Promise.all) are all waiting by then.
        queueMicrotask(() => {
          const batch = waiting;
          waiting = [];
          sending = sending.then(() => send(batch));
        });
      });
    },
  };
}
