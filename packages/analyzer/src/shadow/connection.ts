/**
 * Connecting to shadow servers, and keeping their passwords out of every message.
 */
import pg from 'pg';
import { MigcheckError } from '../errors.js';

/** `postgres://user:***@host:port/db`: the URL with its password hidden (also inside query parameters). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparsable database URL>';
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/** The secrets of a URL, as they may appear in a message: raw, percent-decoded. */
function secretsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    const raw = [parsed.password, ...[...parsed.searchParams].filter(([key]) => /pass/i.test(key)).map(([, v]) => v)];
    const all = raw.flatMap((secret) => [secret, safeDecode(secret)]);
    return [...new Set(all)].filter((secret) => secret.length > 0);
  } catch {
    return [];
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The message of `error`, with the URL and any of its secrets replaced by their redacted forms. */
export function scrubbedMessage(error: unknown, url: string): string {
  let message = error instanceof Error ? error.message : String(error);
  message = message.split(url).join(redactUrl(url));
  for (const secret of secretsOf(url)) message = message.split(secret).join('***');
  return message;
}

/** The URL of another database on the same server, with the same credentials. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The URL of the same server and database with another role's login. */
export function urlWithLogin(serverUrl: string, login: { role: string; password?: string }): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(login.role);
  if (login.password !== undefined) url.password = encodeURIComponent(login.password);
  for (const key of [...url.searchParams.keys()]) {
    if (/^(user|password)$/i.test(key)) url.searchParams.delete(key);
  }
  return url.toString();
}

/** Every session migcheck opens says who it is (DESIGN.md); node-postgres lets one in the URL win, so it goes. */
const APPLICATION_NAME = 'migcheck';

function withoutApplicationName(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of ['application_name', 'fallback_application_name']) parsed.searchParams.delete(key);
    return parsed.toString();
  } catch {
    return url;
  }
}

/** A connected client whose connection errors (a server shutting down) never crash the process. */
export async function connectClient(url: string, what: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: withoutApplicationName(url), application_name: APPLICATION_NAME });
  // Without a listener, a terminated idle connection is an uncaught 'error' event; the next query reports it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new MigcheckError(`cannot connect to ${what} ${redactUrl(url)}: ${scrubbedMessage(error, url)}`);
  }
  return client;
}
