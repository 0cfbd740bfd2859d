/**
 * Named statements run together: every Parse (the first time a session runs one), Bind, Describe and Execute written
 * at once, and one Sync at the end (the extended protocol's pipelining), so that a catalog reading's dozen queries
 * cost one round trip instead of a dozen. Each round trip costs a write and a read on both sides, and a context switch: a cold `lint` of a long
 * history reads the catalog hundreds of times.
 *
 * Built on node-postgres' Submittable (what pg-cursor and pg-query-stream are built on): the client hands this object
 * the messages of its turn, up to the ReadyForQuery that ends it. As with one Sync, the statements run in one
 * implicit transaction (or in the session's open one), and an error skips the rest: the whole batch fails with it.
 * shadow/pipeline.test.ts runs it on every test server, so a change of node-postgres that breaks it fails there.
 */
import pg from 'pg';

export interface NamedQuery {
  /** The name the session prepares the statement under, once. */
  name: string;
  text: string;
  values: unknown[];
}

/** What this module uses of node-postgres beyond its typed API: the connection's own parsed statements, and its Result. */
interface ResultBuilder {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addRow(row: unknown): void;
  rows: unknown[];
}
interface ProtocolConnection {
  /** The statements the session has prepared, by name: node-postgres' own record, which its queries read too. */
  parsedStatements?: Record<string, string>;
  submittedNamedStatements?: Record<string, string>;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
  parse(config: { name: string; text: string; types: unknown[] }): void;
  bind(config: { statement: string; values: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
  stream: { cork?: () => void; uncork?: () => void };
}
const driver = pg as unknown as {
  Result?: new () => ResultBuilder;
  utils?: { prepareValue?: (value: unknown) => unknown };
};

/** Whether this node-postgres has what a pipeline needs. */
export function canPipeline(session: pg.Client): boolean {
  const connection = connectionOf(session);
  return driver.Result !== undefined && driver.utils?.prepareValue !== undefined && connection?.parsedStatements !== undefined && typeof connection.on === 'function';
}

/** The rows of each query, in order; rejects with the first error (the server skipped the queries after it). */
export function runPipeline(session: pg.Client, queries: readonly NamedQuery[]): Promise<Array<{ rows: unknown[] }>> {
  return new Promise((resolve, reject) => {
    session.query(new Pipeline(queries, (error, results) => (error ? reject(error) : resolve(results))));
  });
}

function connectionOf(session: pg.Client): ProtocolConnection | undefined {
  return (session as unknown as { connection?: ProtocolConnection }).connection;
}

class Pipeline implements pg.Submittable {
  private readonly results: Array<{ rows: unknown[] }> = [];
  private building?: ResultBuilder;
  private failure?: Error;
  private ended = false;
  private connection?: ProtocolConnection;
  /** The statements this pipeline prepares, in order, and how many the server has parsed so far. */
  private readonly parsing: NamedQuery[] = [];
  private parsed = 0;
  private readonly onParsed = () => {
    this.parsed++;
  };

  constructor(
    private readonly queries: readonly NamedQuery[],
    private readonly done: (error: Error | undefined, results: Array<{ rows: unknown[] }>) => void,
  ) {}

  submit(connection: pg.Connection): void {
    const protocol = connection as unknown as ProtocolConnection;
    this.connection = protocol;
    protocol.on('parseComplete', this.onParsed);
    protocol.stream.cork?.();
    try {
      for (const query of this.queries) {
        const { name, text, values } = query;
        if (protocol.parsedStatements![name] === undefined && protocol.submittedNamedStatements?.[name] === undefined && !this.parsing.some((each) => each.name === name)) {
          protocol.parse({ name, text, types: [] });
          this.parsing.push(query);
        }
        protocol.bind({ statement: name, values, valueMapper: driver.utils!.prepareValue! });
        protocol.describe({ type: 'P', name: '' });
        protocol.execute({ portal: '', rows: 0 });
      }
      protocol.sync();
    } finally {
      protocol.stream.uncork?.();
    }
  }

  // The client's calls, one per message of the turn.
  handleRowDescription(message: { fields: unknown[] }): void {
    this.building = new driver.Result!();
    this.building.addFields(message.fields);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    if (this.failure || !this.building) return;
    try {
      this.building.addRow(this.building.parseRow(message.fields));
    } catch (error) {
      this.failure = error as Error;
    }
  }

  handleCommandComplete(): void {
    this.results.push({ rows: this.building?.rows ?? [] });
    this.building = undefined;
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handleError(error: Error): void {
    this.end(error);
  }

  handleReadyForQuery(): void {
    if (this.failure) return this.end(this.failure);
    if (this.results.length !== this.queries.length) return this.end(new Error(`a pipeline of ${this.queries.length} queries answered ${this.results.length}`));
    this.end(undefined);
  }

  handlePortalSuspended(): void {
    this.end(new Error('a pipelined query was suspended'));
  }

  private end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    // The server parses in order, and keeps what it parsed even when a later statement fails (a prepared statement
    // is not undone with its transaction): node-postgres must know each one, or it would prepare it again.
    if (this.connection) {
      this.connection.off('parseComplete', this.onParsed);
      for (const { name, text } of this.parsing.slice(0, this.parsed)) this.connection.parsedStatements![name] = text;
    }
    this.done(error, this.results);
  }
}
