/**
 * Migration files are untrusted: the shadow replays (and rehearses) them as a role without superuser and without
 * the server-program / server-file roles, on every kind of server. Here on the run's real server, given as `url`
 * with a superuser (the case where migcheck must make a sandbox role), with an unprivileged role (used as is), and
 * with roles that are dangerous and cannot make one (refused). The embedded server is in ./embedded.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, test } from 'vitest';
import { discoverMigrations, type Migration } from '../source/discover.js';
import { openShadow, type PriorResult, type Shadow } from './index.js';

const serverUrl = inject('postgresUrl');
const temporaryDirectories: string[] = [];
const openShadows: Shadow[] = [];
const testRoles: string[] = [];

afterEach(async () => {
  await Promise.all(openShadows.splice(0).map((shadow) => shadow.close()));
});
afterAll(async () => {
  await Promise.all(temporaryDirectories.map((dir) => rm(dir, { recursive: true, force: true })));
  for (const role of testRoles) await asServerSuperuser(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
});

async function temporaryDirectory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `migcheck-sandbox-test-${prefix}-`));
  temporaryDirectories.push(dir);
  return dir;
}

async function asServerSuperuser<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A login role on the run's server with `attributes` (and `grants`), and its URL. */
async function roleUrl(attributes: string, grants: string[] = []): Promise<{ role: string; url: string }> {
  const role = `migcheck_test_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(9).toString('hex');
  testRoles.push(role);
  await asServerSuperuser(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' ${attributes}`);
  for (const grant of grants) await asServerSuperuser(`GRANT ${grant} TO ${role}`);
  const url = new URL(serverUrl);
  url.username = role;
  url.password = password;
  return { role, url: url.toString() };
}

/** A history of `files` (plain layout) and its last migration, whose prior state needs every file before it. */
async function historyThenTarget(files: string[]): Promise<{ target: Migration; dir: string }> {
  const dir = await temporaryDirectory('migrations');
  // The database server runs as another OS user: it must be able to write a proof file here if it could.
  await chmod(dir, 0o777);
  const all = [...files, 'CREATE TABLE target_marker (id int);\n'];
  for (const [index, text] of all.entries()) await writeFile(join(dir, `${index + 1}_step.sql`), text);
  const migrations = discoverMigrations([dir]);
  return { target: migrations.at(-1)!, dir };
}

async function shadowOn(url: string): Promise<Shadow> {
  const shadow = await openShadow({ url, cacheDir: await temporaryDirectory('cache') });
  openShadows.push(shadow);
  return shadow;
}

function failureOf(result: PriorResult): { message: string; code?: string; path: string } {
  if (!('failure' in result)) throw new Error('expected the history to fail to replay, but it replayed');
  return result.failure;
}

/** Who replays, as the replayed SQL itself sees it: a history step that fails with a message saying so. */
const WHO_AM_I = `DO $$ BEGIN RAISE EXCEPTION 'user=% super=% app=%', current_user,
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), current_setting('application_name'); END $$;\n`;

async function sandboxRoles(): Promise<string[]> {
  const rows = await asServerSuperuser<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'migcheck\\_sandbox%'`);
  return rows.map((row) => row.rolname);
}

describe('given a superuser URL, the history is replayed as a sandbox role', () => {
  test('COPY … TO PROGRAM in a history file runs nothing: the replay fails with the server error, no file is written', async () => {
    const proof = join(await temporaryDirectory('proof'), 'proof');
    await chmod(join(proof, '..'), 0o777);
    const { target } = await historyThenTarget([
      'CREATE TABLE t (id int, n int);\n',
      `COPY (SELECT 1) TO PROGRAM 'id > ${proof}';\n`,
    ]);
    const result = await (await shadowOn(serverUrl)).priorSnapshot(target);
    const failure = failureOf(result);
    expect(failure.path).toMatch(/2_step\.sql$/);
    expect(failure.code).toBe('42501'); // insufficient_privilege
    expect(failure.message).toMatch(/permission denied|pg_execute_server_program/);
    expect(existsSync(proof)).toBe(false);
  });

  test('the replaying session is not a superuser, and says application_name=migcheck; the role is dropped on close', async () => {
    const before = await sandboxRoles();
    const { target } = await historyThenTarget([WHO_AM_I]);
    const shadow = await shadowOn(serverUrl);
    const failure = failureOf(await shadow.priorSnapshot(target));
    expect(failure.message).toMatch(/^user=migcheck_sandbox_[0-9a-f]+ super=f app=migcheck$/);
    const role = /user=(\S+)/.exec(failure.message)![1]!;
    expect(await sandboxRoles()).toContain(role);
    await shadow.close();
    expect(await sandboxRoles()).toEqual(before.filter((name) => name !== role));
  });

  test('the rehearsal database is the sandbox role’s too', async () => {
    const { target } = await historyThenTarget(['CREATE TABLE t (id int);\n']);
    const database = await (await shadowOn(serverUrl)).databaseBefore(target);
    if (!('client' in database)) throw new Error('expected a database');
    const { rows } = await database.client.query<{ user: string; super: boolean; owner: string }>(
      `SELECT current_user AS user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
              pg_get_userbyid((SELECT datdba FROM pg_database WHERE datname = current_database())) AS owner`,
    );
    expect(rows[0]).toEqual({ user: expect.stringMatching(/^migcheck_sandbox_/), super: false, owner: rows[0]!.user });
    expect(new URL(database.url).username).toBe(rows[0]!.user);
    await expect(database.client.query(`COPY (SELECT 1) TO PROGRAM 'true'`)).rejects.toThrow(/permission denied|pg_execute_server_program/);
  });

  const HOSTILE: Array<[string, string]> = [
    ['COPY … FROM PROGRAM', `CREATE TABLE loot (line text);\nCOPY loot FROM PROGRAM 'id';\n`],
    ['COPY … FROM a server file', `CREATE TABLE loot (line text);\nCOPY loot FROM '/etc/hostname';\n`],
    ['COPY … TO a server file', `COPY (SELECT 1) TO '/tmp/migcheck-sandbox-copy-proof';\n`],
    ['pg_read_file', `SELECT pg_read_file('/etc/hostname');\n`],
    ['pg_ls_dir', `SELECT pg_ls_dir('/');\n`],
    ['lo_import (server side)', `SELECT lo_import('/etc/hostname');\n`],
    ['lo_export (server side)', `SELECT lo_export(lo_from_bytea(0, 'x'), '/tmp/migcheck-sandbox-lo-proof');\n`],
    ['ALTER SYSTEM', `ALTER SYSTEM SET archive_command = 'id > /tmp/migcheck-sandbox-archive-proof';\n`],
    ['an untrusted language: plperlu', 'CREATE EXTENSION plperlu;\n'],
    ['an untrusted language: plpython3u', 'CREATE EXTENSION plpython3u;\n'],
    ['an untrusted extension: file_fdw', 'CREATE EXTENSION file_fdw;\n'],
    ['an untrusted extension: dblink', 'CREATE EXTENSION dblink;\n'],
    ['a C function', `CREATE FUNCTION sys(text) RETURNS int LANGUAGE c AS '/lib/x86_64-linux-gnu/libc.so.6', 'system';\n`],
    [
      'a SECURITY DEFINER function that runs a program (it runs as its owner: the sandbox)',
      `CREATE FUNCTION escape() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
         BEGIN COPY (SELECT 1) TO PROGRAM 'id > /tmp/migcheck-sandbox-definer-proof'; END $$;
       SELECT escape();\n`,
    ],
    ['becoming a superuser', 'ALTER ROLE CURRENT_USER SUPERUSER;\n'],
    ['granting itself the program role', 'GRANT pg_execute_server_program TO CURRENT_USER;\n'],
    ['granting itself the file roles', 'GRANT pg_read_server_files, pg_write_server_files TO CURRENT_USER;\n'],
    ['creating a role', 'CREATE ROLE migcheck_sandbox_test_child SUPERUSER;\n'],
  ];

  test.each(HOSTILE)('%s fails to replay as the sandbox role', async (_name, sql) => {
    const { target } = await historyThenTarget([sql]);
    const failure = failureOf(await (await shadowOn(serverUrl)).priorSnapshot(target));
    // Refused for lack of privilege (42501: "permission denied…", before 16 also "must be superuser…", "must have
    // admin option…"); an untrusted language a server does not ship (Debian's without plperl) is not available (0A000).
    const unavailable = /plperlu|plpython3u/.test(sql) && failure.code === '0A000';
    if (!unavailable) {
      expect(failure.code).toBe('42501');
      expect(failure.message).toMatch(/^(permission denied|must be superuser|must have admin option)/);
    }
    for (const proof of ['copy', 'lo', 'archive', 'definer']) expect(existsSync(`/tmp/migcheck-sandbox-${proof}-proof`)).toBe(false);
  });

  test('trusted extensions, schemas, plpgsql and SECURITY DEFINER functions still replay; the snapshot names no sandbox role', async () => {
    const { target } = await historyThenTarget([
      'CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE EXTENSION citext;\nCREATE EXTENSION hstore;\n',
      'CREATE SCHEMA app;\nCREATE TABLE app.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email citext, tags hstore);\n',
      `CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN NEW; END $$;
       GRANT SELECT ON app.users TO PUBLIC;\n`,
    ]);
    const result = await (await shadowOn(serverUrl)).priorSnapshot(target);
    if (!('snapshot' in result)) throw new Error(`expected a snapshot: ${JSON.stringify(result.failure)}`);
    expect(Object.keys(result.snapshot.extensions ?? {})).toEqual(expect.arrayContaining(['citext', 'hstore', 'pgcrypto']));
    expect(result.snapshot.tables['app.users']?.columns['email']?.type).toBe('public.citext');
    // The replay role is whoever ran the migrations: not an owner to restore, and never a random name.
    expect(result.snapshot.tables['app.users']).toMatchObject({ owner: null, privileges: ['=r/migcheck_sandbox'] });
    expect(JSON.stringify(result.snapshot)).not.toMatch(/migcheck_sandbox_[0-9a-f]/);
  });

  test('two runs (two random sandbox roles) give the same snapshot, so the second is served from the cache', async () => {
    const { target } = await historyThenTarget(['CREATE SCHEMA app;\nCREATE TABLE app.t (id int);\nGRANT SELECT ON app.t TO PUBLIC;\n']);
    const cacheDir = await temporaryDirectory('shared-cache');
    const first = await openShadow({ url: serverUrl, cacheDir });
    const cold = await first.priorSnapshot(target);
    await first.close();
    const second = await openShadow({ url: serverUrl, cacheDir });
    openShadows.push(second);
    const warm = await second.priorSnapshot(target);
    expect(cold).toMatchObject({ cached: false });
    expect(warm).toMatchObject({ cached: true });
    expect('snapshot' in warm && warm.snapshot).toEqual('snapshot' in cold && cold.snapshot);
  });
});

describe('other roles given as --shadow-url', () => {
  test('an unprivileged role (CREATEDB only) replays as itself: no sandbox role is made', async () => {
    const { role, url } = await roleUrl('CREATEDB');
    const before = await sandboxRoles();
    const { target } = await historyThenTarget([WHO_AM_I]);
    const failure = failureOf(await (await shadowOn(url)).priorSnapshot(target));
    expect(failure.message).toBe(`user=${role} super=f app=migcheck`);
    expect(await sandboxRoles()).toEqual(before);
  });

  test('a role that may run programs and CREATE ROLE gets a sandbox role; the program still cannot run', async () => {
    const { url } = await roleUrl('CREATEDB CREATEROLE', ['pg_execute_server_program']);
    const proof = join(await temporaryDirectory('proof'), 'proof');
    await chmod(join(proof, '..'), 0o777);
    const { target } = await historyThenTarget([WHO_AM_I]);
    const failure = failureOf(await (await shadowOn(url)).priorSnapshot(target));
    expect(failure.message).toMatch(/^user=migcheck_sandbox_[0-9a-f]+ super=f app=migcheck$/);
    const copy = await historyThenTarget([`COPY (SELECT 1) TO PROGRAM 'id > ${proof}';\n`]);
    expect(failureOf(await (await shadowOn(url)).priorSnapshot(copy.target)).code).toBe('42501');
    expect(existsSync(proof)).toBe(false);
  });

  test.each([
    ['a superuser that cannot create roles', 'SUPERUSER', [] as string[], /is a superuser/],
    ['a role that may run programs, without CREATEROLE', 'CREATEDB', ['pg_execute_server_program'], /pg_execute_server_program/],
    ['a role that may read and write server files, without CREATEROLE', 'CREATEDB', ['pg_read_server_files', 'pg_write_server_files'], /pg_read_server_files/],
  ])('%s: the replay is refused with the reason and the fix; nothing runs', async (_name, attributes, grants, reason) => {
    const { role, url } = await roleUrl(attributes, grants);
    // A superuser that cannot create roles: its transactions are read-only (as on a standby).
    if (attributes === 'SUPERUSER') await asServerSuperuser(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    const proof = join(await temporaryDirectory('proof'), 'proof');
    await chmod(join(proof, '..'), 0o777);
    const { target } = await historyThenTarget([`COPY (SELECT 1) TO PROGRAM 'id > ${proof}';\n`]);
    const shadow = await shadowOn(url);
    const error = await shadow.priorSnapshot(target).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.name).toBe('MigcheckError');
    expect(error?.message).toMatch(reason);
    expect(error?.message).toMatch(/refus/);
    expect(error?.message).toMatch(/--shadow-url/);
    expect(error?.message).not.toContain(new URL(url).password);
    expect(existsSync(proof)).toBe(false);
  });
});

describe('every session on the shadow server', () => {
  test('carries application_name=migcheck, even when the URL names another', async () => {
    const url = new URL(serverUrl);
    url.searchParams.set('application_name', 'someone-else');
    const { target } = await historyThenTarget(['CREATE TABLE t (id int);\n']);
    const shadow = await shadowOn(url.toString());
    const database = await shadow.databaseBefore(target);
    if (!('client' in database)) throw new Error('expected a database');
    const { rows } = await database.client.query<{ name: string }>(`SELECT current_setting('application_name') AS name`);
    expect(rows[0]!.name).toBe('migcheck');
    // The admin session (on the URL's database) too.
    const sessions = await asServerSuperuser<{ application_name: string }>(
      `SELECT application_name FROM pg_stat_activity WHERE application_name IN ('someone-else', 'migcheck-shadow')`,
    );
    expect(sessions).toEqual([]);
    expect(await readFile(target.up.path, 'utf8')).toContain('target_marker');
  });
});
