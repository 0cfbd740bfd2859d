/**
 * TypeORM migrations read as code (issue 11): migration classes captured in the capture child process against a
 * recording query runner (no database, no TypeORM), in TypeORM's order (the timestamp ending the migration's name),
 * its schema-builder methods reported as not captured, and its tracking table `migrations`. Runs the built CLI.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connectionCounter } from './helpers/counting-server.js';
import { reportSchema, type Report } from '../packages/analyzer/src/report/schema.js';
import { createScratchDatabase, runStatements } from './helpers/database.js';
import { migcheck } from './helpers/cli.js';

const fixture = 'fixtures/typeorm/migrations';

/** A TypeORM project in a temporary folder (ES modules): `migrations/<name>` for each file. */
function typeormProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'migcheck-typeorm-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(root, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'migrations', name), text);
  return join(root, 'migrations');
}

function lintJson(args: string[], env: NodeJS.ProcessEnv = {}): Report {
  const result = migcheck(['lint', ...args, '--format', 'json', '--no-shadow', '-q'], { env });
  if (result.stdout === '') throw new Error(`no report (exit ${result.status}): ${result.stderr}`);
  return reportSchema.parse(JSON.parse(result.stdout));
}

const partialReason = (report: Report, index: number) => report.migrations[index]!.changes.find((change) => change.rule === 'code-migration')?.reason;

/** A migration class as TypeORM generates it (JavaScript). */
const migrationClass = (name: string, up: string, down = '') => `export class ${name} {\n  async up(queryRunner) {\n${up}\n  }\n  async down(queryRunner) {\n${down}\n  }\n}\n`;

describe('TypeORM (CLI)', () => {
  it('lints the fixture: captured SQL with verdicts on the lines of the query calls, builder methods and reads not captured', () => {
    const result = migcheck(['lint', fixture, '--no-shadow']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/1700000000000-CreateUsers\.ts  safe\n +7:1 +safe +add-table +public\.users/);
    expect(result.stdout).toMatch(/1700000001000-AddNickname\.js  safe\n +3:1 +safe +add-column +public\.users\.nickname/);
    expect(result.stdout).toMatch(/1700000002000-CreatePlans\.js  safe\n +3:1 +safe +add-table +public\.plans/);
    expect(result.stdout).toMatch(/1700000003000-IndexEmails\.js  RISKY\n +1:1 +RISKY +code-migration +\(typeorm migration, not fully captured\)/);
    expect(result.stdout).toContain('calls queryRunner.createIndex, which is not captured');
    expect(result.stdout).toContain('note: down not fully captured: it calls queryRunner.dropIndex, which is not captured');
    const report = lintJson([fixture]);
    expect(report.migrations.map((migration) => [migration.id, migration.layout])).toEqual([
      ['CreateUsers1700000000000', 'typeorm'],
      ['AddNickname1700000001000', 'typeorm'],
      ['CreatePlans1700000002000', 'typeorm'],
      ['IndexEmails1700000003000', 'typeorm'],
      ['BackfillNicknames1700000004000', 'typeorm'],
    ]);
    // Capture rate on the fixture: 3 of 5 migrations captured fully (one calls a builder method, one reads).
    const partial = report.migrations.filter((migration) => migration.changes.some((change) => change.rule === 'code-migration'));
    expect(partial.map((migration) => migration.id)).toEqual(['IndexEmails1700000003000', 'BackfillNicknames1700000004000']);
    expect(partialReason(report, 4)).toContain('reads the database (`SELECT "id", "email" FROM "users" WHERE "nickname" IS NULL`) and was answered with no rows');
  });

  it('prints a rollback script (plan --format sql): the captured downs in reverse order', () => {
    const folder = typeormProject({});
    for (const name of readdirSync(fixture).filter((name) => !/IndexEmails|Backfill/.test(name))) copyFileSync(join(fixture, name), join(folder, name));
    const result = migcheck(['plan', folder, '--format', 'sql', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    const at = (pattern: RegExp) => result.stdout.search(pattern);
    expect(at(/^DROP TABLE (IF EXISTS )?public\.plans;$/m)).toBeGreaterThan(0);
    expect(at(/^ALTER TABLE (IF EXISTS )?public\.users DROP COLUMN (IF EXISTS )?nickname;$/m)).toBeGreaterThan(at(/^DROP TABLE (IF EXISTS )?public\.plans;$/m));
    expect(at(/^DROP TABLE (IF EXISTS )?public\.users;$/m)).toBeGreaterThan(at(/DROP COLUMN (IF EXISTS )?nickname;$/m));
  });

  it('rehearses the captured downs in the shadow (verify), parameters written as literals', { timeout: 120_000 }, () => {
    const result = migcheck(['verify', fixture, '--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '-q']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/7:1 +safe +add-table +public\.users \[rehearsed\]/);
    for (const file of ['1700000000000-CreateUsers.ts', '1700000001000-AddNickname.js', '1700000002000-CreatePlans.js']) {
      expect(result.stdout).toContain(`down (${fixture}/${file}): restores the schema`);
    }
  });

  it("orders migrations as TypeORM does, by the timestamp ending the migration's name, and refuses a name without one", () => {
    const folder = typeormProject({
      'a.js': migrationClass('Second1700000000002', '    await queryRunner.query(`ALTER TABLE first ADD COLUMN v integer`);'),
      'b.js': migrationClass('First1700000000001', '    await queryRunner.query(`CREATE TABLE first (id integer)`);'),
      'c.js': `export class Named {\n  name = 'Third1700000000003';\n  async up(queryRunner) { await queryRunner.query('CREATE INDEX first_v ON first (v)'); }\n}\n`,
      'helpers.js': 'export const unrelated = 1;\n',
    });
    const report = lintJson([folder]);
    expect(report.migrations.map((migration) => migration.id)).toEqual(['First1700000000001', 'Second1700000000002', 'Third1700000000003']);
    expect(JSON.stringify(report.migrations[0]!.notes)).toContain('not read: helpers.js');

    writeFileSync(join(folder, 'd.js'), migrationClass('NoTimestamp', ''));
    const refused = migcheck(['lint', folder, '--no-shadow']);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/d\.js:1:8: the migration name "NoTimestamp" does not end with a JavaScript timestamp: TypeORM refuses it$/)]);
  });

  it('reports a migration that throws, one that cannot be loaded and one that uses the manager; never a crash', () => {
    const folder = typeormProject({
      '1-Throws.js': migrationClass('Throws1700000000001', '    await queryRunner.query(`CREATE TABLE t (id integer)`);\n    throw new Error("boom");'),
      '2-Imports.js': `import { Table } from 'typeorm';\n${migrationClass('Imports1700000000002', '    await queryRunner.createTable(new Table({ name: "x" }));')}`,
      '3-Manager.js': migrationClass('Manager1700000000003', '    await queryRunner.manager.getRepository("User").save({ id: 1 });\n    const rows = await queryRunner.query(`INSERT INTO t VALUES (1) RETURNING id`);\n    if (rows[0]) await queryRunner.query(`DELETE FROM t`);'),
    });
    const result = migcheck(['lint', folder, '--format', 'json', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    const report = reportSchema.parse(JSON.parse(result.stdout));
    expect(partialReason(report, 0)).toContain('threw before it finished: boom');
    expect(report.migrations[0]!.changes.map((change) => change.kind)).toEqual(['unknown', 'add_table']);
    expect(partialReason(report, 1)).toMatch(/could not be loaded: .*typeorm/);
    expect(partialReason(report, 2)).toContain('calls queryRunner.manager, which is not captured');
    expect(partialReason(report, 2)).toContain('uses what `INSERT INTO t VALUES (1) RETURNING id` returns');
  });

  it('takes the applied state from the migrations table (plan --database-url)', { timeout: 120_000 }, async () => {
    const db = await createScratchDatabase('typeorm_state');
    try {
      await runStatements(
        db.client,
        `CREATE TABLE users (id serial PRIMARY KEY, email varchar(320) NOT NULL);
         CREATE TABLE migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL);
         INSERT INTO migrations ("timestamp", name) VALUES (1700000000000, 'CreateUsers1700000000000');`,
      );
      const result = migcheck(['plan', fixture, '--database-url', db.url, '--format', 'json', '--no-shadow', '-q']);
      expect(result.stderr).toBe('');
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.migrations.slice(0, 2).map((migration) => [migration.state, migration.stateReason])).toEqual([
        ['applied', 'migrations has CreateUsers1700000000000'],
        ['pending', 'migrations lacks AddNickname1700000001000'],
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe('TypeORM capture: the code never reaches a database', () => {
  const counter = connectionCounter();

  it('records every query with the database settings pointing at a server that counts connections: none arrive', () => {
    const url = counter.url();
    const folder = typeormProject({
      '1700000000001-Create.js': migrationClass(
        'Create1700000000001',
        "    await queryRunner.query('CREATE TABLE accounts (id serial PRIMARY KEY, name text)');\n    await queryRunner.query('INSERT INTO accounts (name) VALUES ($1)', [\"O'Brien\"]);\n    await queryRunner.connection.query('SELECT 1');",
        "    await queryRunner.query('DROP TABLE accounts');",
      ),
    });
    writeFileSync(join(folder, '..', 'data-source.js'), `export default { type: 'postgres', url: '${url}', migrations: ['migrations/*.js'] };\n`);
    const report = lintJson([folder], { DATABASE_URL: url, PGHOST: '127.0.0.1', PGPORT: new URL(url).port, TYPEORM_URL: url });
    expect(counter.connections()).toBe(0);
    expect(report.migrations[0]!.changes.map((change) => change.kind)).toEqual(['unknown', 'add_table', 'data_change']);
    expect(partialReason(report, 0)).toContain('calls queryRunner.connection, which is not captured');
  });
});
