/**
 * The role that replays migrations. Migration files are untrusted (anyone can propose one in a pull request), so
 * nothing in them may run as a superuser, or as a member of the predefined roles that reach the server's machine
 * (`COPY … TO PROGRAM`, `pg_read_file`, server-side `lo_export`…), or as a role that may change settings that run
 * shell commands or load libraries. The replay role owns the shadow databases, so trusted extensions (pgcrypto,
 * citext, hstore…) and `CREATE SCHEMA` still work; what needs more fails to replay and is reported as such.
 *
 * It has no CREATEROLE either: before PostgreSQL 16 a CREATEROLE role can grant itself any non-superuser role,
 * pg_execute_server_program included, and roles are shared by every database of a server, so a history that
 * created them would change what the next history replayed on the same server sees.
 *
 * In snapshots the replay role is anonymous: it stands for whoever ran the migrations, which the shadow cannot
 * know, so it is not an owner to restore (owner `null`), its own privileges are the owner's implicit ones (left
 * out), and as a grantor it is `migcheck_sandbox`. That also keeps snapshots, their cache keys and diffs stable
 * although a sandbox made on a `--shadow-url` server has a random name.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/index.js';
import { MigcheckError } from '../errors.js';
import { quoteIdentAlways, quoteLiteral } from '../sql/quote.js';
import { scrubbedMessage } from './connection.js';

/** The sandbox role of the embedded server (private, so a fixed name is safe), and the replay role's name in snapshots. */
export const SANDBOX_ROLE = 'migcheck_sandbox';

/** Predefined roles whose members reach the server's machine: run programs, read or write its files. */
const SERVER_ACCESS_ROLES = ['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files'];

/** Settings that run shell commands or load libraries into the server (privileges on them exist from PostgreSQL 15). */
const COMMAND_SETTINGS = [
  'archive_command', 'archive_library', 'restore_command', 'archive_cleanup_command', 'recovery_end_command',
  'ssl_passphrase_command', 'shared_preload_libraries', 'session_preload_libraries', 'local_preload_libraries',
  'dynamic_library_path', 'jit_provider',
];

/** How to log in as the replay role. */
export interface ReplayLogin {
  role: string;
  /** The password of a sandbox role migcheck created; undefined when the URL's own role replays. */
  password?: string;
}

/** What makes `role` (default: the session's role) unfit to run untrusted SQL; empty when nothing does. */
export async function unsafePowersOf(client: pg.Client, role?: string): Promise<{ role: string; superuser: boolean; reasons: string[] }> {
  const { rows } = await client.query<{ role: string; superuser: boolean; memberships: string[]; version: number }>(
    `SELECT r.rolname::text AS role, r.rolsuper AS superuser, current_setting('server_version_num')::int AS version,
            ARRAY(SELECT name FROM unnest($1::text[]) AS name WHERE pg_has_role(r.oid, name, 'MEMBER')) AS memberships
       FROM pg_roles AS r WHERE r.rolname = coalesce($2::text, current_user::text)`,
    [SERVER_ACCESS_ROLES, role ?? null],
  );
  const row = rows[0];
  if (!row) throw new MigcheckError(`the shadow server has no role ${role ?? '(current user)'}`);
  const reasons: string[] = [];
  if (row.superuser) reasons.push('is a superuser');
  if (row.memberships.length > 0) reasons.push(`is a member of ${row.memberships.join(', ')}`);
  if (!row.superuser && row.version >= 150000) {
    const settings = await client.query<{ name: string }>(
      `SELECT name FROM unnest($1::text[]) AS name
        WHERE has_parameter_privilege($2::name, name, 'SET') OR has_parameter_privilege($2::name, name, 'ALTER SYSTEM')`,
      [COMMAND_SETTINGS, row.role],
    );
    if (settings.rows.length > 0) reasons.push(`may change ${settings.rows.map((setting) => setting.name).join(', ')}`);
  }
  return { role: row.role, superuser: row.superuser, reasons };
}

/**
 * The role to replay as, on a server where `admin` is the session of the role the user gave: that role itself
 * when it is unprivileged; else a new sandbox role named `sandboxName` (dropped by dropSandboxRole). When neither
 * works, refuses (MigcheckError) rather than run migrations with those rights.
 */
export async function chooseReplayRole(admin: pg.Client, sandboxName: string, server: { description: string; url: string }): Promise<ReplayLogin> {
  const given = await unsafePowersOf(admin);
  if (given.reasons.length === 0) return { role: given.role };

  const refuse = (why: string) =>
    new MigcheckError(
      `refusing to replay migrations on ${server.description}: its role ${given.role} ${given.reasons.join(' and ')}, ` +
        `and ${why}. Migration files are untrusted: they never run with those rights. Give --shadow-url a role that may ` +
        `CREATE ROLE (migcheck then replays as a role of its own, dropped afterwards), or an unprivileged role with CREATEDB.`,
    );
  const password = randomBytes(24).toString('base64url');
  try {
    await admin.query(
      `CREATE ROLE ${quoteIdentAlways(sandboxName)} LOGIN PASSWORD ${quoteLiteral(password)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    );
  } catch (error) {
    throw refuse(`it cannot create an unprivileged role to replay as (${scrubbedMessage(error, server.url)})`);
  }
  try {
    // A non-superuser creates databases owned by the sandbox only as a member of it (from 16: with SET).
    if (!given.superuser) await admin.query(`GRANT ${quoteIdentAlways(sandboxName)} TO CURRENT_USER`);
    const sandbox = await unsafePowersOf(admin, sandboxName);
    // Rights granted to PUBLIC reach every role, the new one too.
    if (sandbox.reasons.length > 0) throw refuse(`the role it created to replay as ${sandbox.reasons.join(' and ')} (granted to PUBLIC)`);
  } catch (error) {
    await dropSandboxRole(admin, sandboxName);
    throw error instanceof MigcheckError ? error : refuse(`it cannot use the role it created (${scrubbedMessage(error, server.url)})`);
  }
  return { role: sandboxName, password };
}

/** Drops a sandbox role made by chooseReplayRole (after the databases it owns are gone); best effort. */
export async function dropSandboxRole(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DROP ROLE IF EXISTS ${quoteIdentAlways(name)}`).catch(() => {});
}

/** `snapshot` with the replay role anonymised (see the top of this file). */
export function anonymiseReplayRole(snapshot: SchemaSnapshot, role: string): SchemaSnapshot {
  const kinds = Object.entries(snapshot).map(([kind, records]: [string, unknown]) => [
    kind,
    records !== null && typeof records === 'object'
      ? Object.fromEntries(Object.entries(records).map(([key, record]) => [key, anonymisedRecord(record, role)]))
      : records,
  ]);
  return Object.fromEntries(kinds) as SchemaSnapshot;
}

/**
 * Consecutive readings of one session share the records that did not change (../catalog/read/incremental.ts):
 * each is anonymised once.
 */
const anonymisedRecords = new WeakMap<object, { role: string; record: unknown }>();

function anonymisedRecord(record: unknown, role: string): unknown {
  if (record === null || typeof record !== 'object') return anonymise(record, role);
  const known = anonymisedRecords.get(record);
  if (known?.role === role) return known.record;
  const anonymised = anonymise(record, role);
  anonymisedRecords.set(record, { role, record: anonymised });
  return anonymised;
}

function anonymise(value: unknown, role: string): unknown {
  if (Array.isArray(value)) return value.map((item) => anonymise(item, role));
  if (value === null || typeof value !== 'object') return value;
  // Object.fromEntries, as the catalog reader builds its maps: a column or schema called "__proto__" stays data.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key === 'owner' && item === role) return [key, null];
      if (key === 'privileges' && Array.isArray(item) && item.every((entry) => typeof entry === 'string')) {
        return [key, item.flatMap((entry: string) => anonymiseAclItem(entry, role)).sort()];
      }
      return [key, anonymise(item, role)];
    }),
  );
}

/** `grantee=privileges/grantor`: the replay role's own item is dropped; as grantor it becomes SANDBOX_ROLE. */
function anonymiseAclItem(item: string, role: string): string[] {
  const grantee = readAclName(item, 0);
  if (!grantee || item[grantee.end] !== '=') return [item];
  const slash = item.indexOf('/', grantee.end);
  if (slash < 0) return [item];
  const grantor = readAclName(item, slash + 1);
  if (!grantor || grantor.end !== item.length) return [item];
  if (grantee.name === role) return [];
  return grantor.name === role ? [`${item.slice(0, slash + 1)}${SANDBOX_ROLE}`] : [item];
}

/** A role name in an ACL item at `start`: plain, or double-quoted with "" for a quote (as aclitem prints names). */
function readAclName(item: string, start: number): { name: string; end: number } | undefined {
  if (item[start] !== '"') {
    let end = start;
    while (end < item.length && item[end] !== '=' && item[end] !== '/') end++;
    return { name: item.slice(start, end), end };
  }
  let name = '';
  for (let at = start + 1; at < item.length; at++) {
    if (item[at] === '"') {
      if (item[at + 1] === '"') {
        name += '"';
        at++;
      } else return { name, end: at + 1 };
    } else name += item[at];
  }
  return undefined;
}
