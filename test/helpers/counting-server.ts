/**
 * A TCP server that counts the connections made to it and drops each: point a migration tool's database settings
 * at it, and a test proves that capturing the migrations connects to no database (none arrive).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface ConnectionCounter {
  /** A PostgreSQL URL for the server, with a user and password a config would carry. */
  url(): string;
  connections(): number;
}

/** Starts the server before the tests of the enclosing describe block, and stops it after them. */
export function connectionCounter(): ConnectionCounter {
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: () => `postgres://app:secret@127.0.0.1:${port}/app`, connections: () => connections };
}
