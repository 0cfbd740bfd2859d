/**
 * The rollback's verification queries (plan/verification/) on a real PostgreSQL: after the migration and
 * migcheck's rollback they return no row; after a tampered rollback (an index dropped again, a type changed, a
 * backup row deleted, a value that a type revert would not keep) they return one. Each scenario runs on every
 * target server (`targetServers()`: the embedded PG 18 and, when installed, a Debian PG 15 with JIT on).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSchemaSnapshot } from '../packages/analyzer/src/catalog/index.js';
import { plan } from '../packages/analyzer/src/commands.js';
import { analyzeMigration } from '../packages/analyzer/src/plan/analyze.js';
import { unionAll, withVerificationClaims, type VerificationPhase } from '../packages/analyzer/src/plan/verification/index.js';
import { buildReport } from '../packages/analyzer/src/report/build.js';
import { formatReport } from '../packages/analyzer/src/report/index.js';
import type { Report } from '../packages/analyzer/src/report/schema.js';
import { reportSchema } from '../packages/analyzer/src/report/schema.js';
import { verificationQueries } from '../packages/analyzer/src/report/verify.js';
import { truncationQuery } from '../packages/analyzer/src/plan/verification/truncation.js';
import { parseSql } from '../packages/analyzer/src/source/parse.js';
import { SqlText } from '../packages/analyzer/src/source/sql-text.js';
import { migrationFromSql } from './helpers/analyze.js';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from './helpers/database.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const run = (db: ScratchDatabase, sql: string) => runStatements(db.client, sql);

/** The rows the phase's queries return, run one by one; and the same through one UNION ALL, which must agree. */
async function rowsOf(db: ScratchDatabase, report: Report, phase: VerificationPhase): Promise<string[]> {
  const queries = verificationQueries(report, phase);
  const rows: string[] = [];
  for (const query of queries) {
    const result = await db.client.query<{ check: string; object: string; detail: string }>(query.sql);
    expect(result.fields.map((field) => field.name)).toEqual(['check', 'object', 'detail']);
    rows.push(...result.rows.map((row) => `${row.check} | ${row.object} | ${row.detail}`));
  }
  if (queries.length > 0) {
    const together = await db.client.query(unionAll(queries));
    expect(together.rows.length, 'one UNION ALL returns the same rows').toBe(rows.length);
  }
  return rows;
}

interface Applied {
  db: ScratchDatabase;
  report: Report;
}

/** `setup`, then the migration; the report planned with the prior schema (what the shadow reads), on `serverUrl`. */
async function applied(serverUrl: string, setup: string, migration: string, options: { prior?: boolean } = {}): Promise<Applied> {
  const db = await createScratchDatabase('verification', serverUrl);
  databases.push(db);
  await run(db, setup);
  const prior = await readSchemaSnapshot(db.client);
  await run(db, migration);
  const report = reportSchema.parse(buildReport('plan', [analyzeMigration(migrationFromSql(migration, '0002_m.sql'), options.prior === false ? {} : { prior })]));
  expect(report.rollback, JSON.stringify(report.migrations)).not.toBeNull();
  return { db, report };
}

/** Runs the rollback script as it is printed (pre-checks, steps, backup checks, verification queries). */
async function rolledBack(target: Applied): Promise<Applied> {
  await run(target.db, target.report.rollback!.sql);
  return target;
}

/**
 * Runs the logical rollback steps (each change's `rollback`, last change first) and the verification queries'
 * script text apart: what the rules decided, whatever form the script gives it.
 */
async function rolledBackLogically(target: Applied): Promise<Applied> {
  for (const migration of [...target.report.migrations].reverse()) {
    for (const change of [...migration.changes].reverse()) await run(target.db, change.rollback.join('\n'));
  }
  return target;
}

const USERS = "CREATE TABLE users (id integer PRIMARY KEY, name character varying(20), age integer NOT NULL DEFAULT 0, email text); INSERT INTO users VALUES (1, 'ann', 30, 'a@x'), (2, 'bob', 40, NULL);";

describe.each(targetServers())('verification queries on $name', (server) => {
  it('add column: nothing after the rollback; the column back → a row', async () => {
    const target = await rolledBack(await applied(server.url, USERS, 'ALTER TABLE users ADD COLUMN nickname text;'));
    expect(verificationQueries(target.report, 'after').map((query) => query.check)).toEqual(['column dropped']);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, 'ALTER TABLE users ADD COLUMN nickname text;');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual(['column dropped | public.users.nickname | still exists']);
  });

  it('a name longer than Postgres keeps (63 bytes) is looked up as Postgres truncated it, not missed', async () => {
    const long = `n${'é'.repeat(40)}`;
    const target = await rolledBack(await applied(server.url, USERS, `ALTER TABLE users ADD COLUMN "${long}" text;`));
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, `ALTER TABLE users ADD COLUMN "${long}" text;`);
    // The parser already keeps the first 63 bytes, as the server does: 'n' and 31 two-byte 'é'.
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([`column dropped | public.users.n${'é'.repeat(31)} | still exists`]);
  });

  it('int → bigint: the pre-check finds a value integer cannot hold; after the revert, a changed type or default is a row', async () => {
    const target = await applied(server.url, USERS, 'ALTER TABLE users ALTER COLUMN age TYPE bigint;');
    expect(await rowsOf(target.db, target.report, 'before')).toEqual([]);
    await run(target.db, 'INSERT INTO users VALUES (3, NULL, 5000000000, NULL);');
    expect(await rowsOf(target.db, target.report, 'before')).toEqual([expect.stringMatching(/^value survives type revert \| public\.users\.age \| row \(0,\d+\): 5000000000 does not fit integer$/)]);
    await run(target.db, 'DELETE FROM users WHERE id = 3;');
    await rolledBack(target);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, 'ALTER TABLE users ALTER COLUMN age SET DEFAULT 1;');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual(['column restored | public.users.age | default 1, expected 0']);
    await run(target.db, 'ALTER TABLE users ALTER COLUMN age SET DEFAULT 0; ALTER TABLE users ALTER COLUMN age TYPE bigint;');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual(['column restored | public.users.age | type bigint, expected integer']);
  });

  it('varchar(20) → text: the pre-check finds the long value (and the trailing blanks the cast would cut)', async () => {
    const target = await applied(server.url, USERS, 'ALTER TABLE users ALTER COLUMN name TYPE text;');
    expect(await rowsOf(target.db, target.report, 'before')).toEqual([]);
    await run(target.db, `INSERT INTO users VALUES (3, '${'x'.repeat(30)}', 1, NULL), (4, '${'y'.repeat(20)}   ', 1, NULL), (5, '${'z'.repeat(20)}', 1, NULL);`);
    const rows = await rowsOf(target.db, target.report, 'before');
    expect(rows).toHaveLength(2);
    expect(rows.join('\n')).toContain(`${'x'.repeat(30)} does not fit character varying(20)`);
    await run(target.db, 'DELETE FROM users WHERE id IN (3, 4);');
    await rolledBack(target);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, 'ALTER TABLE users ALTER COLUMN name TYPE character varying(30);');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual(['column restored | public.users.name | type character varying(30), expected character varying(20)']);
  });

  it('drop index: recreated as it was; dropped again, or defined otherwise → a row', async () => {
    const target = await rolledBack(await applied(server.url, `${USERS} CREATE INDEX users_name_idx ON users (lower(name)) WHERE age > 0;`, 'DROP INDEX users_name_idx;'));
    expect(verificationQueries(target.report, 'after').map((query) => query.check)).toEqual(['index restored']);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, 'DROP INDEX users_name_idx;');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual(['index restored | public.users_name_idx | missing']);
    await run(target.db, 'CREATE INDEX users_name_idx ON users (lower(name));');
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([expect.stringMatching(/^index restored \| public\.users_name_idx \| defined as CREATE INDEX users_name_idx ON public\.users USING btree \(lower\(\(name\)::text\)\), expected .* WHERE \(age > 0\)$/)]);
  });

  it('add and drop constraints: gone and restored (validated); a constraint back, or left NOT VALID → a row', async () => {
    const setup = `${USERS} ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age >= 0);`;
    const target = await rolledBack(await applied(server.url, setup, 'ALTER TABLE users DROP CONSTRAINT users_age_positive;\nALTER TABLE users ADD CONSTRAINT users_email_at CHECK (email LIKE \'%@%\');'));
    expect(verificationQueries(target.report, 'after').map((query) => query.check).sort()).toEqual(['constraint dropped', 'constraint restored']);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, "ALTER TABLE users ADD CONSTRAINT users_email_at CHECK (email LIKE '%@%'); ALTER TABLE users DROP CONSTRAINT users_age_positive; ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age >= 0) NOT VALID;");
    expect((await rowsOf(target.db, target.report, 'after')).sort()).toEqual([
      'constraint dropped | public.users.users_email_at | still exists',
      'constraint restored | public.users.users_age_positive | NOT VALID: run its VALIDATE CONSTRAINT step',
    ]);
  });

  it('rename column: the old name back with its type, the new one gone; renamed again → rows', async () => {
    const target = await rolledBack(await applied(server.url, USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;'));
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await run(target.db, 'ALTER TABLE users RENAME COLUMN name TO full_name;');
    expect((await rowsOf(target.db, target.report, 'after')).sort()).toEqual(['column dropped | public.users.full_name | still exists', 'column restored | public.users.name | missing']);
  });

  it('no false alarm after a correct rollback: serial defaults, foreign keys, enums, expression indexes, NOT NULL and defaults', async () => {
    const setup = `${USERS} CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
      CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL, code text UNIQUE, state mood DEFAULT 'ok', note text DEFAULT 'none'::text);
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
      CREATE INDEX orders_code_norm ON orders (norm(code)) WHERE state = 'ok'::mood;`;
    const migration = [
      'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;',
      'ALTER TABLE orders DROP CONSTRAINT orders_code_key;',
      'DROP INDEX orders_code_norm;',
      'ALTER TABLE orders ALTER COLUMN state TYPE text;',
      'ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;',
      "ALTER TABLE orders ALTER COLUMN note SET DEFAULT 'other';",
      'ALTER TABLE orders ALTER COLUMN id TYPE bigint;',
    ].join('\n');
    const target = await rolledBack(await applied(server.url, setup, migration));
    expect(target.report.rollback!.verification!.unverified).toEqual([]);
    expect(verificationQueries(target.report, 'after').map((query) => `${query.check} ${query.object}`).sort()).toEqual([
      'column restored public.orders.id',
      'column restored public.orders.note',
      'column restored public.orders.state',
      'column restored public.orders.user_id',
      'constraint restored public.orders.orders_code_key',
      'constraint restored public.orders.orders_user_fk',
      'index restored public.orders_code_norm',
    ]);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    // The same queries under an empty search_path (how the prior schema was read) find nothing either.
    await target.db.client.query("SET search_path = ''");
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    await target.db.client.query('RESET search_path');
    await run(target.db, "ALTER TABLE orders DROP CONSTRAINT orders_user_fk; ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id); ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;");
    expect((await rowsOf(target.db, target.report, 'after')).sort()).toEqual([
      'column restored | public.orders.user_id | nullable, expected NOT NULL',
      'constraint restored | public.orders.orders_user_fk | defined as FOREIGN KEY (user_id) REFERENCES users(id), expected FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE',
    ]);
  });

  it('several migrations on one object: the oldest decides (an added column whose type a later one changed must be gone)', async () => {
    const db = await createScratchDatabase('verification_history', server.url);
    databases.push(db);
    await run(db, USERS);
    const migrations = ['ALTER TABLE users ADD COLUMN score integer;', 'ALTER TABLE users ALTER COLUMN score TYPE bigint;'];
    const analyzed = [];
    for (const [index, migration] of migrations.entries()) {
      const prior = await readSchemaSnapshot(db.client);
      await run(db, migration);
      analyzed.push(analyzeMigration(migrationFromSql(migration, `000${index + 1}_m.sql`), { prior }));
    }
    const report = reportSchema.parse(buildReport('plan', analyzed));
    expect(verificationQueries(report, 'after').map((query) => `${query.check} ${query.object}`)).toEqual(['column dropped public.users.score']);
    await run(db, report.rollback!.sql);
    expect(await rowsOf(db, report, 'after')).toEqual([]);
  });

  it('claims computed while the prior schema is at hand (verify lets the schema go) give the same script', async () => {
    const db = await createScratchDatabase('verification_settled', server.url);
    databases.push(db);
    await run(db, USERS);
    const migrations = ['ALTER TABLE users ADD COLUMN score integer;', 'ALTER TABLE users ALTER COLUMN age TYPE bigint, ALTER COLUMN score TYPE bigint;', 'ALTER TABLE users RENAME COLUMN name TO full_name;'];
    const analyzed = [];
    for (const [index, migration] of migrations.entries()) {
      const prior = await readSchemaSnapshot(db.client);
      await run(db, migration);
      analyzed.push(analyzeMigration(migrationFromSql(migration, `000${index + 1}_m.sql`), { prior }));
    }
    const settled = analyzed.map(withVerificationClaims);
    expect(settled.every((migration) => migration.prior === undefined)).toBe(true);
    const fromPriors = reportSchema.parse(buildReport('plan', analyzed)).rollback!;
    expect(fromPriors.verification?.queries.map((query) => `${query.check} ${query.object}`)).toEqual(
      expect.arrayContaining(['column restored public.users.age', 'column restored public.users.name', 'column dropped public.users.score']),
    );
    expect(reportSchema.parse(buildReport('plan', settled)).rollback).toEqual(fromPriors);
  });

  it('without the prior schema: no query that would pass for want of it, a NOT VERIFIED comment instead', async () => {
    const target = await applied(server.url, USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', { prior: false });
    const { verification } = target.report.rollback!;
    // The new name must be gone whatever the prior schema was; what `name` was before, only the prior schema says.
    expect(verification?.queries.map((query) => `${query.check} ${query.object}`)).toEqual(['column dropped public.users.full_name']);
    expect(verification?.unverified).toEqual([{ object: 'public.users.name', reason: expect.stringContaining('the schema before its migration is unknown') }]);
    expect(target.report.rollback!.sql).toMatch(/^-- NOT VERIFIED: public\.users\.name: the schema before its migration is unknown/m);
    expect(formatReport(target.report, 'verify')).toContain('-- NOT VERIFIED: public.users.name');
  });

  it('backups: the copy matches its source right after it is taken; a deleted or altered backup row → a row; after the script it is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-verification-'));
    const migration = 'ALTER TABLE users ADD COLUMN nickname text;';
    writeFileSync(join(dir, '0001_add_nickname.sql'), migration);
    const db = await createScratchDatabase('verification_backup', server.url);
    databases.push(db);
    await run(db, `${USERS} ${migration} UPDATE users SET nickname = 'n' || id;`);
    const report = reportSchema.parse(await plan([dir], { shadow: false, database: { url: db.url, state: 'applied' } }));
    const [check] = verificationQueries(report, 'backup');
    expect(check?.check).toBe('backup matches');
    // In the script, right after the statement that takes the backup, before the column is dropped.
    const script = report.rollback!.sql.split('\n');
    const at = script.indexOf(check!.sql);
    expect(script[at - 2]).toContain('migcheck_backup.users__nickname AS SELECT');
    expect(script.findIndex((line) => line.includes('DROP COLUMN'))).toBeGreaterThan(at);

    const [schema, backup] = report.migrations[0]!.changes[0]!.rollback;
    await run(db, `${schema!}\n${backup!}`);
    expect(await rowsOf(db, report, 'backup')).toEqual([]);
    await run(db, 'DELETE FROM migcheck_backup.users__nickname WHERE id = 2;');
    expect(await rowsOf(db, report, 'backup')).toEqual(['backup matches | migcheck_backup.users__nickname | source 2 rows, backup 1 rows: 1 not in the backup, 0 not in the source']);
    await run(db, "INSERT INTO migcheck_backup.users__nickname VALUES (2, 'changed');");
    expect(await rowsOf(db, report, 'backup')).toEqual(['backup matches | migcheck_backup.users__nickname | source 2 rows, backup 2 rows: 1 not in the backup, 1 not in the source']);
    await run(db, "UPDATE migcheck_backup.users__nickname SET nickname = 'n2' WHERE id = 2;");
    expect(await rowsOf(db, report, 'backup')).toEqual([]);

    await run(db, report.rollback!.sql);
    expect(await rowsOf(db, report, 'after')).toEqual([]);
    await run(db, 'DROP TABLE migcheck_backup.users__nickname;');
    expect(await rowsOf(db, report, 'after')).toEqual(['backup kept | migcheck_backup.users__nickname | missing']);
  });

  it('hostile names (newline, quotes, */, --): every query is one inert SELECT that finds them', async () => {
    const table = 'we"ird\n*/ --t';
    const column = "c'ol\n-- DROP TABLE x; */";
    const index = 'i"dx\n*/;--';
    const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const setup = `${USERS} CREATE TABLE ${q(table)} (id int PRIMARY KEY, ${q(column)} integer); INSERT INTO ${q(table)} VALUES (1, 7); CREATE INDEX ${q(index)} ON ${q(table)} (${q(column)});`;
    const migration = `ALTER TABLE ${q(table)} ALTER COLUMN ${q(column)} TYPE bigint;\nDROP INDEX ${q(index)};\nALTER TABLE ${q(table)} ADD COLUMN ${q(`${column}2`)} text;`;
    const target = await applied(server.url, setup, migration);
    const queries = verificationQueries(target.report);
    expect(queries.map((query) => query.check).sort()).toEqual(['column dropped', 'column restored', 'index restored', 'value survives type revert']);
    for (const query of queries) {
      expect(query.sql).not.toMatch(/[\n\r]/);
      const statements = parseSql(new SqlText(query.sql), 'query.sql');
      expect(statements).toHaveLength(1);
      expect(Object.keys(statements[0]!.node)).toEqual(['SelectStmt']);
    }
    await run(target.db, `INSERT INTO ${q(table)} VALUES (2, 9000000000);`);
    expect(await rowsOf(target.db, target.report, 'before')).toEqual([expect.stringContaining(`9000000000 does not fit integer`)]);
    await run(target.db, `DELETE FROM ${q(table)} WHERE id = 2;`);
    await rolledBackLogically(target);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
    expect((await target.db.client.query(`SELECT count(*)::int AS n FROM users`)).rows[0].n, 'nothing in a name ran').toBe(2);
    await run(target.db, `DROP INDEX ${q(index)}; ALTER TABLE ${q(table)} ADD COLUMN ${q(`${column}2`)} text;`);
    expect((await rowsOf(target.db, target.report, 'after')).sort()).toEqual([
      `column dropped | public.${table}.${column}2 | still exists`,
      `index restored | public.${index} | missing`,
    ]);
  });
});

/** The prior-schema scenarios of test/roundtrip.test.ts: a correct rollback of each raises no row (no false alarm). */
const PRIOR = `${USERS}
  CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id), total numeric(10,2) DEFAULT 0, note varchar(40), placed_at timestamp);
  CREATE INDEX orders_user_idx ON orders (user_id) WHERE total > 0;
  CREATE UNIQUE INDEX orders_note_key ON orders (lower(note));
  ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
  CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE measures (a int DEFAULT 1, b varchar(40), c numeric(10,2), d timestamp(3), e varchar(50));
  CREATE TABLE tags (name text, color text); CREATE UNIQUE INDEX tags_color_key ON tags (color);`;

describe('no false alarm after the round trips of test/roundtrip.test.ts', () => {
  it.each([
    ['drops', 'DROP INDEX orders_user_idx;\nDROP INDEX orders_note_key;\nALTER TABLE orders DROP CONSTRAINT orders_total_check;\nDROP VIEW big_orders;\nDROP TRIGGER orders_touch ON orders;\nDROP TYPE mood;'],
    ['defaults, nullability and types', "ALTER TABLE orders ALTER COLUMN note SET DEFAULT 'n/a', ALTER COLUMN total DROP DEFAULT;\nALTER TABLE users ALTER COLUMN age DROP NOT NULL, ALTER COLUMN name SET NOT NULL;\nALTER TABLE measures ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE text, ALTER COLUMN c TYPE numeric(12,2), ALTER COLUMN d TYPE timestamp(6), ALTER COLUMN e TYPE varchar(100);"],
    ['IF NOT EXISTS over what existed', 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\nCREATE TABLE IF NOT EXISTS orders (id int);\nCREATE INDEX IF NOT EXISTS orders_user_idx ON orders (id);\nDROP INDEX IF EXISTS no_such_index;\nALTER TABLE orders ALTER COLUMN note SET DEFAULT \'x\';'],
    ['backfill of an added column', "ALTER TABLE users ADD COLUMN role text;\nUPDATE users SET role = 'member';\nALTER TABLE users ALTER COLUMN role SET DEFAULT 'member', ALTER COLUMN role SET NOT NULL;"],
    ['constraints over indexes', 'ALTER TABLE tags ADD CONSTRAINT tags_pkey PRIMARY KEY (name);\nALTER TABLE tags ADD CONSTRAINT tags_color_unique UNIQUE USING INDEX tags_color_key;'],
    ['renames and new objects', "ALTER TABLE orders RENAME COLUMN note TO remark;\nCREATE TABLE audit (id int);\nCREATE INDEX audit_id_idx ON audit (id);\nALTER TABLE users ADD CONSTRAINT users_name_check CHECK (name <> '');"],
  ])('%s', async (_name, migration) => {
    const target = await rolledBack(await applied(targetServers()[0]!.url, PRIOR, migration));
    expect(verificationQueries(target.report, 'after').length).toBeGreaterThan(0);
    expect(await rowsOf(target.db, target.report, 'after')).toEqual([]);
  });
});

describe('the truncation pre-check, per old type', () => {
  it.each([
    ['numeric(5,2)', 'numeric(10,4)', ['12.34', '-999.99'], ['1.2340', '1000.0000', '-1000.0000']],
    ['character(3)', 'text', ['abc', 'ab', 'ab   '], ['abcd']],
    ['smallint', 'text', ['-32768', ' 7 '], ['32768', '1.5', 'x']],
    ['timestamp(3) without time zone', 'timestamp(6) without time zone', ['2026-01-01 10:00:00.123'], ['2026-01-01 10:00:00.123456']],
  ])('back to %s from %s', async (oldType, newType, survive, lost) => {
    const db = await createScratchDatabase('verification_truncation', targetServers()[0]!.url);
    databases.push(db);
    const values = [...survive, ...lost].map((value, index) => `(${index}, '${value}')`).join(', ');
    await run(db, `CREATE TABLE t (id int PRIMARY KEY, v ${oldType}); ALTER TABLE t ALTER COLUMN v TYPE ${newType}; INSERT INTO t VALUES ${values}, (99, NULL);`);
    const { rows } = await db.client.query<{ detail: string }>(truncationQuery({ schema: 'public', name: 't' }, 'v', oldType));
    expect(rows.map((row) => row.detail.replace(/^row \(\d+,\d+\): /, '').replace(/ does not fit .*$/, ''))).toEqual(lost);
  });
});

describe('--format verify', () => {
  it('prints the queries alone, under a heading per phase', async () => {
    const target = await applied(targetServers()[0]!.url, USERS, 'ALTER TABLE users ALTER COLUMN age TYPE bigint;');
    const output = formatReport(target.report, 'verify');
    expect(output).toMatch(/^-- before: run BEFORE the rollback script/m);
    expect(output).toMatch(/^-- after: run once the rollback script has run/m);
    expect(output).not.toContain('ALTER TABLE');
    const statements = parseSql(new SqlText(output), 'verify.sql');
    expect(statements.map((statement) => Object.keys(statement.node)[0])).toEqual(['SelectStmt', 'SelectStmt']);
  });
});
