/**
 * Tiny TCP servers that speak just enough of PostgreSQL's wire protocol to stand between migcheck and a server:
 * one that stops answering, and a proxy that records what migcheck sends to a real server. For the tests of
 * the target database's faults (a silent server) and promises (every statement read-only, as migcheck).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface WireServer {
  /** 127.0.0.1 port it listens on. */
  port: number;
  close(): Promise<void>;
}

/** What a client sent: the startup parameters, then each statement text (simple and extended protocol). */
export interface Recording {
  startup: Record<string, string>;
  statements: string[];
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/**
 * A server that accepts connections and then goes silent: with `authenticate`, it first answers the startup
 * (AuthenticationOk, ReadyForQuery) so that the client is connected, and then never answers a query; without,
 * it never says a word.
 */
export async function silentServer(options: { authenticate: boolean }): Promise<WireServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (!options.authenticate) return;
    let started = false;
    readFrontend(socket, {
      onStartup: () => {
        if (started) return;
        started = true;
        socket.write(Buffer.concat([message('R', int32(0)), message('S', Buffer.from('server_version\u000015.0\u0000')), message('Z', Buffer.from('I'))]));
      },
      onMessage: () => {}, // silence
      onEncryptionRequest: () => socket.write('N'),
    });
  });
  return listen(server, sockets);
}

/**
 * A proxy to a real server at `target` (host:port) that records the client's startup and statements; `freeze()`
 * makes the server look silent from then on (nothing it sends reaches the client any more).
 */
export async function recordingProxy(target: { host: string; port: number }): Promise<WireServer & { recording: Recording; freeze(): void }> {
  const recording: Recording = { startup: {}, statements: [] };
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    readFrontend(client, {
      onStartup: (parameters) => Object.assign(recording.startup, parameters),
      onMessage: (type, body) => {
        if (type === 'Q') recording.statements.push(cString(body, 0).text);
        if (type === 'P') recording.statements.push(cString(body, cString(body, 0).end).text);
      },
    });
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!frozen) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return {
    ...(await listen(server, sockets)),
    recording,
    freeze: () => {
      frozen = true;
    },
  };
}

function listen(server: Server, sockets: Set<Socket>): Promise<WireServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Splits what a client sends into the startup packet (after any SSL/GSS request) and typed messages. The proxy
 * forwards an encryption request to the server; the tests connect with sslmode=disable, so that it can read.
 */
function readFrontend(
  socket: Socket,
  handlers: { onStartup(parameters: Record<string, string>): void; onMessage(type: string, body: Buffer): void; onEncryptionRequest?(): void },
): void {
  let buffer = Buffer.alloc(0);
  let startupDone = false;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!startupDone) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const body = buffer.subarray(8, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          handlers.onEncryptionRequest?.();
          continue;
        }
        startupDone = true;
        handlers.onStartup(parameters(body));
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      handlers.onMessage(String.fromCharCode(buffer[0]!), buffer.subarray(5, 1 + length));
      buffer = buffer.subarray(1 + length);
    }
  });
}

function parameters(body: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let offset = 0;
  for (;;) {
    const key = cString(body, offset);
    if (key.text === '') return result;
    const value = cString(body, key.end);
    result[key.text] = value.text;
    offset = value.end;
  }
}

function cString(body: Buffer, start: number): { text: string; end: number } {
  const zero = body.indexOf(0, start);
  const end = zero < 0 ? body.length : zero;
  return { text: body.toString('utf8', start, end), end: end + 1 };
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}
