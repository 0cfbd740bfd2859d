/**
 * knex migrations read as code (issue 11): the layout, the capture without a database (a recording client in a
 * child process with a time limit), and the CLI on the fixture project. Runs the built CLI and runner (dist/).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connectionCounter } from './helpers/counting-server.js';
import { reportSchema, type Report } from '../packages/analyzer/src/report/schema.js';
import { createScratchDatabase, runStatements } from './helpers/database.js';
import { migcheck } from './helpers/cli.js';

const fixture = 'fixtures/knex/migrations';

/** A knex project in a temporary folder: `migrations/<name>` for each file, and a knexfile when given. */
function knexProject(files: Record<string, string>, knexfile?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'migcheck-knex-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(root, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'migrations', name), text);
  if (knexfile !== undefined) writeFileSync(join(root, 'knexfile.js'), knexfile);
  return root;
}

function lintJson(args: string[], env: NodeJS.ProcessEnv = {}): { status: number; stderr: string; report: Report } {
  const result = migcheck(['lint', ...args, '--format', 'json', '--no-shadow', '-q'], { env });
  if (result.stdout === '') throw new Error(`no report (exit ${result.status}): ${result.stderr}`);
  return { status: result.status, stderr: result.stderr, report: reportSchema.parse(JSON.parse(result.stdout)) };
}

const partialReason = (report: Report, index: number) => report.migrations[index]!.changes.find((change) => change.rule === 'code-migration')?.reason;

describe('knex layout (CLI)', () => {
  it('lints the fixture project: every migration captured and judged, the one that reads the database risky', () => {
    const result = migcheck(['lint', fixture, '--no-shadow']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('fixtures/knex/migrations/20240101090000_create_users.js  safe');
    // The line of the builder call in the migration file.
    expect(result.stdout).toMatch(/2:1 +safe +add-table +public\.users/);
    // The TypeScript migration, through the loader.
    expect(result.stdout).toMatch(/20240102090000_add_nickname\.ts  safe\n +4:1 +safe +add-column +public\.users\.nickname/);
    expect(result.stdout).toMatch(/add-index +public\.users_email_idx/);
    expect(result.stdout).toMatch(/20240104090000_add_plan_if_missing\.js  RISKY\n +1:1 +RISKY +code-migration +\(knex migration, not fully captured\)/);
    expect(result.stdout).toContain('Not fully captured: this knex migration reads the database (`select * from information_schema.columns');
    expect(result.stdout).toContain('note: knex settings from fixtures/knex/knexfile.js');
  });

  it('reads the knexfile given the project folder (migrations.directory), and with --knexfile', () => {
    const { report } = lintJson(['fixtures/knex']);
    expect(report.migrations.map((migration) => migration.path)).toEqual([
      'fixtures/knex/migrations/20240101090000_create_users.js',
      'fixtures/knex/migrations/20240102090000_add_nickname.ts',
      'fixtures/knex/migrations/20240103090000_index_emails.js',
      'fixtures/knex/migrations/20240104090000_add_plan_if_missing.js',
    ]);
    const root = knexProject({ '1_a.js': 'export const up = (knex) => knex.schema.createTable("a", (t) => t.text("x"));\n', '2_b.ts': 'export const up = (knex: any) => knex.schema.createTable("b", () => {});\n' });
    writeFileSync(join(root, 'only-js.cjs'), 'module.exports = { client: "pg", migrations: { loadExtensions: [".js"] } };\n');
    const only = lintJson([join(root, 'migrations'), '--knexfile', join(root, 'only-js.cjs')]).report;
    expect(only.migrations.map((migration) => migration.path.split('/').at(-1))).toEqual(['1_a.js']);
    expect(lintJson([join(root, 'migrations')]).report.migrations).toHaveLength(2);
  });

  it("leaves other tools' code migrations alone: exit 2 with one line, nothing run", () => {
    // A MikroORM migration: neither knex's, node-pg-migrate's, TypeORM's nor Sequelize's.
    const root = knexProject({ '1_users.js': 'export class Migration1 extends Migration { async up() { this.addSql("CREATE TABLE users ()"); } }\n' });
    const result = migcheck(['lint', join(root, 'migrations'), '--no-shadow']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/no SQL migrations found in this directory: its 1 migration is JavaScript or TypeScript code that is not knex's, node-pg-migrate's, TypeORM's or Sequelize's/)]);
  });

  it('orders the files as knex does: by file name, character by character', () => {
    const root = knexProject({
      '9_second.js': 'export async function up(knex) { await knex.schema.createTable("nine", () => {}); }\n',
      '10_first.js': 'export async function up(knex) { await knex.schema.createTable("ten", () => {}); }\n',
    });
    const { report } = lintJson([join(root, 'migrations')]);
    expect(report.migrations.map((migration) => migration.id)).toEqual(['10_first.js', '9_second.js']);
  });

  it('prints the rollback script of the captured SQL (plan --format sql)', () => {
    const result = migcheck(['plan', fixture, '--format', 'sql', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    // The production forms (plan/online/): re-runnable, the index dropped without blocking writes.
    expect(result.stdout).toContain('ALTER TABLE IF EXISTS public.users DROP COLUMN IF EXISTS plan;');
    expect(result.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;');
    expect(result.stdout.indexOf('DROP COLUMN IF EXISTS nickname')).toBeGreaterThan(0);
    expect(result.stdout.indexOf('DROP COLUMN IF EXISTS nickname')).toBeLessThan(result.stdout.indexOf('DROP TABLE IF EXISTS public.users;'));
    expect(result.stdout).toContain('INCOMPLETE');
  });

  it("rehearses each migration and knex's own down in the shadow (verify)", { timeout: 120_000 }, () => {
    const result = migcheck(['verify', fixture, '--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '-q']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/2:1 +safe +add-table +public\.users \[rehearsed\]/);
    expect(result.stdout).toContain('down (fixtures/knex/migrations/20240102090000_add_nickname.ts): restores the schema');
    expect(result.stdout).toContain('down (fixtures/knex/migrations/20240103090000_index_emails.js): restores the schema');
  });

  it('stops the history replay at a migration that was not fully captured: later migrations say their prior schema is unknown', { timeout: 120_000 }, () => {
    const root = knexProject({
      '1_table.js': 'export const up = (knex) => knex.schema.createTable("t", (t) => { t.integer("v"); });\n',
      '2_reads.js': 'export const up = async (knex) => { if (!(await knex.schema.hasColumn("t", "w"))) await knex.schema.alterTable("t", (t) => { t.integer("w"); }); };\n',
      '3_default.js': 'export const up = (knex) => knex.raw("ALTER TABLE t ALTER COLUMN v SET DEFAULT 1");\n',
    });
    const result = migcheck(['lint', join(root, 'migrations'), '--format', 'json', '--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '-q']);
    const report = reportSchema.parse(JSON.parse(result.stdout));
    const last = report.migrations[2]!;
    expect(last.history?.failure).toMatch(/2_reads\.js:1:1: the SQL captured from this knex migration may not be all it does/);
    expect(last.changes.every((change) => change.verdict !== 'safe')).toBe(true);
  });

  it('takes the applied state from knex_migrations (plan --database-url)', { timeout: 120_000 }, async () => {
    const db = await createScratchDatabase('knex_state');
    try {
      await runStatements(
        db.client,
        `CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL, created_at timestamptz, updated_at timestamptz);
         CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz);
         INSERT INTO knex_migrations (name, batch) VALUES ('20240101090000_create_users.js', 1);`,
      );
      const result = migcheck(['plan', fixture, '--database-url', db.url, '--format', 'json', '--no-shadow', '-q']);
      expect(result.stderr).toBe('');
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.migrations.map((migration) => [migration.state, migration.stateReason])).toEqual([
        ['applied', 'knex_migrations has 20240101090000_create_users.js'],
        ['pending', 'knex_migrations lacks 20240102090000_add_nickname.ts'],
        ['pending', 'knex_migrations lacks 20240103090000_index_emails.js'],
        ['pending', 'knex_migrations lacks 20240104090000_add_plan_if_missing.js'],
      ]);
    } finally {
      await db.drop();
    }
  });

  it("reads the applied state from the knexfile's tableName and schemaName, not knex_migrations", { timeout: 120_000 }, async () => {
    const root = knexProject(
      {
        '1_a.js': 'export const up = (knex) => knex.schema.createTable("a", (t) => { t.integer("v"); });\n',
        '2_b.js': 'export const up = (knex) => knex.schema.createTable("b", (t) => { t.integer("v"); });\n',
      },
      "export default { client: 'pg', migrations: { directory: 'migrations', tableName: 'app_migrations', schemaName: 'meta' } };\n",
    );
    const db = await createScratchDatabase('knex_table_name');
    try {
      await runStatements(
        db.client,
        `CREATE TABLE a (v integer);
         CREATE SCHEMA meta;
         CREATE TABLE meta.app_migrations (id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz);
         INSERT INTO meta.app_migrations (name, batch) VALUES ('1_a.js', 1);
         CREATE TABLE public.knex_migrations (id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz);
         INSERT INTO public.knex_migrations (name, batch) VALUES ('2_b.js', 1);`,
      );
      const result = migcheck(['plan', join(root, 'migrations'), '--database-url', db.url, '--format', 'json', '--no-shadow', '-q']);
      expect(result.stderr).toBe('');
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.migrations.map((migration) => [migration.state, migration.stateReason])).toEqual([
        ['applied', 'meta.app_migrations has 1_a.js'],
        ['pending', 'meta.app_migrations lacks 2_b.js'],
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe('knex capture: the code never reaches a database', () => {
  const counter = connectionCounter();

  it('records every query of a knexfile pointing at a server that counts connections: none arrive', () => {
    const url = counter.url();
    const root = knexProject(
      {
        '1_create.js': `export async function up(knex) {
  await knex.schema.createTable('accounts', (t) => { t.increments('id'); t.string('name'); });
  await knex('accounts').insert({ name: "O'Brien" });
  await knex.raw('ALTER TABLE accounts ADD COLUMN note text');
}
export async function down(knex) { await knex.schema.dropTable('accounts'); }
`,
        '2_read.js': `export async function up(knex) {
  const rows = await knex('accounts').select('id');
  const exists = await knex.schema.hasTable('accounts');
  await knex.transaction(async (trx) => { await trx.raw('UPDATE accounts SET note = ?', ['x']); });
  return { rows, exists };
}
`,
      },
      `export default { client: 'pg', connection: '${url}', pool: { min: 1, max: 2 }, migrations: { directory: 'migrations' } };\n`,
    );
    const { report } = lintJson([join(root, 'migrations')], { DATABASE_URL: url, PGHOST: '127.0.0.1', PGPORT: new URL(url).port });
    expect(counter.connections()).toBe(0);
    const first = report.migrations[0]!;
    expect(first.changes.map((change) => change.kind)).toEqual(['add_table', 'data_change', 'add_column']);
    expect(partialReason(report, 0)).toBeUndefined();
    // Bindings written as literals by knex's PostgreSQL quoting.
    expect(report.migrations[1]!.changes.map((change) => change.kind)).toEqual(['unknown', 'data_change']);
    expect(partialReason(report, 1)).toMatch(/reads the database \(`select "id" from "accounts"`\).*reads the database \(`select \* from information_schema\.tables/);
  });
});

describe('knex capture: hostile or broken migrations', () => {
  it('stops an endless loop at the time limit, and captures the migrations around it', { timeout: 60_000 }, () => {
    const root = knexProject({
      '1_before.js': 'export const up = (knex) => knex.schema.createTable("before", () => {});\n',
      '2_loop.js': 'export async function up(knex) { await knex.schema.createTable("loop", () => {}); for (;;) {} }\nexport async function down() {}\n',
      '3_after.js': 'export const up = (knex) => knex.schema.createTable("after", () => {});\n',
    });
    const started = Date.now();
    const { status, report } = lintJson([join(root, 'migrations')], { MIGCHECK_CAPTURE_TIMEOUT_MS: '1500' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(status).toBe(0);
    expect(report.migrations.map((migration) => migration.verdict)).toEqual(['safe', 'risky', 'safe']);
    expect(partialReason(report, 1)).toContain('did not finish within 1.5 s: stopped');
    expect(report.migrations[2]!.changes[0]).toMatchObject({ kind: 'add_table', object: 'public.after' });
  });

  it('reports a migration that throws, one that calls process.exit and one that cannot be loaded; never a crash', () => {
    const root = knexProject({
      '1_throws.js': 'export async function up(knex) { await knex.schema.createTable("t", () => {}); throw new Error("boom"); }\n',
      '2_exits.js': 'export async function up(knex) { process.exit(3); }\n',
      '3_imports.js': 'import config from "../config/app.js";\nexport async function up(knex) { if (config.isCloud) await knex.schema.createTable("plans", () => {}); }\n',
      '4_env.js': 'export async function up(knex) { if (process.env.NODE_ENV !== "test") await knex.schema.createTable("prod_only", () => {}); }\n',
      '5_raw_rows.js': 'export async function up(knex) { const { rows } = await knex.raw("select id from t"); for (const row of rows) await knex("t").where(row).del(); }\n',
      '6_fine.js': 'export async function up(knex) { await knex.schema.createTable("fine", () => {}); }\n',
    });
    const { status, stderr, report } = lintJson([join(root, 'migrations')]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(partialReason(report, 0)).toContain('threw before it finished: boom');
    expect(report.migrations[0]!.changes.map((change) => change.kind)).toEqual(['unknown', 'add_table']);
    expect(partialReason(report, 1)).toContain('called process.exit(3)');
    expect(partialReason(report, 2)).toMatch(/could not be loaded: Cannot find module .*config\/app\.js/);
    expect(partialReason(report, 3)).toContain('reads the environment variable NODE_ENV');
    expect(partialReason(report, 4)).toContain('uses the rows of `select id from t`');
    expect(report.migrations[5]).toMatchObject({ verdict: 'safe' });
  });

  it('lets the code start processes (the user’s own code) without waiting for them', { timeout: 60_000 }, () => {
    const root = knexProject({
      '1_spawns.cjs': `const { spawn, execSync } = require('child_process');
exports.up = async (knex) => {
  execSync('true');
  spawn('sleep', ['60'], { stdio: 'inherit' });
  await knex.schema.createTable('spawned', () => {});
};
`,
    });
    const started = Date.now();
    const { report } = lintJson([join(root, 'migrations')], { MIGCHECK_CAPTURE_TIMEOUT_MS: '5000' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.migrations[0]!.changes[0]).toMatchObject({ kind: 'add_table', object: 'public.spawned', verdict: 'safe' });
  });
});
