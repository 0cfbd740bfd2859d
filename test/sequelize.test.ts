/**
 * Sequelize migrations read as code (issue 11): sequelize-cli / umzug modules `up(queryInterface, Sequelize)`
 * captured in the capture child process through Sequelize's own QueryInterface and query generator, with a
 * recording connection (no database), in file-name order, and its tracking table SequelizeMeta. Runs the built CLI.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { connectionCounter } from './helpers/counting-server.js';
import { reportSchema, type Report } from '../packages/analyzer/src/report/schema.js';
import { createScratchDatabase, runStatements } from './helpers/database.js';
import { migcheck } from './helpers/cli.js';

const fixture = 'fixtures/sequelize/migrations';

/** A sequelize-cli project in a temporary folder (CommonJS): `migrations/<name>` for each file. */
function sequelizeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'migcheck-sequelize-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'commonjs' }));
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
const kinds = (report: Report, index: number) => report.migrations[index]!.changes.map((change) => change.kind);

describe('Sequelize (CLI)', () => {
  it("lints the fixture: Sequelize's own SQL with verdicts on the lines of the calls, the read not captured", () => {
    const result = migcheck(['lint', fixture, '--no-shadow']);
    expect(result.stderr).toBe('');
    // createTable sends CREATE TABLE IF NOT EXISTS: the table may have existed, so its drop is risky.
    expect(result.stdout).toMatch(/20240101000000-create-users\.js  RISKY\n +5:1 +RISKY +add-table +public\.users/);
    expect(result.stdout).toMatch(/20240102000000-add-nickname\.js  safe\n +5:1 +safe +add-column +public\.users\.nickname/);
    expect(result.stdout).toMatch(/20240103000000-index-emails\.js  safe\n +4:1 +safe +add-index +public\.users_email_key/);
    expect(result.stdout).toMatch(/20240104000000-rename-nickname\.js  RISKY\n +5:1 +safe +rename-column +public\.users\.nickname/);
    expect(result.stdout).toMatch(/20240105000000-backfill-names\.js  RISKY\n +1:1 +RISKY +code-migration +\(sequelize migration, not fully captured\)/);
    const report = lintJson([fixture]);
    expect(report.migrations.map((migration) => [migration.id, migration.layout])).toEqual([
      ['20240101000000-create-users.js', 'sequelize'],
      ['20240102000000-add-nickname.js', 'sequelize'],
      ['20240103000000-index-emails.js', 'sequelize'],
      ['20240104000000-rename-nickname.js', 'sequelize'],
      ['20240105000000-backfill-names.js', 'sequelize'],
    ]);
    // Capture rate on the fixture: 4 of 5 migrations captured fully (the fifth reads the users it backfills).
    const partial = report.migrations.filter((migration) => migration.changes.some((change) => change.rule === 'code-migration'));
    expect(partial.map((migration) => migration.id)).toEqual(['20240105000000-backfill-names.js']);
    expect(partialReason(report, 4)).toContain('reads the database (`SELECT id, email FROM users WHERE display_name IS NULL`) and was answered with no rows');
  });

  it('prints a rollback script (plan --format sql): the downs Sequelize would send, in reverse order', () => {
    const folder = sequelizeProject({});
    for (const name of readdirSync(fixture).filter((name) => !/backfill/.test(name))) copyFileSync(join(fixture, name), join(folder, name));
    const result = migcheck(['plan', folder, '--format', 'sql', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    const at = (pattern: RegExp) => result.stdout.search(pattern);
    expect(at(/RENAME COLUMN display_name TO nickname/)).toBeGreaterThan(0);
    expect(at(/^DROP INDEX .*public\.users_email_key;$/m)).toBeGreaterThan(at(/RENAME COLUMN display_name TO nickname/));
    expect(at(/^ALTER TABLE (IF EXISTS )?public\.users DROP COLUMN (IF EXISTS )?nickname;$/m)).toBeGreaterThan(at(/^DROP INDEX .*public\.users_email_key;$/m));
    expect(at(/^DROP TABLE (IF EXISTS )?public\.users;$/m)).toBeGreaterThan(at(/DROP COLUMN (IF EXISTS )?nickname;$/m));
  });

  it('rehearses the captured downs in the shadow (verify)', { timeout: 120_000 }, () => {
    const result = migcheck(['verify', fixture, '--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '-q']);
    expect(result.stderr).toBe('');
    for (const file of ['20240101000000-create-users.js', '20240102000000-add-nickname.js', '20240103000000-index-emails.js']) {
      expect(result.stdout).toContain(`down (${fixture}/${file}): restores the schema`);
    }
    // The fixture's rename down forgets the comment its up added: the rehearsal of the captured SQL shows it.
    expect(result.stdout).toContain(
      `down (${fixture}/20240104000000-rename-nickname.js): does not restore the schema:\n    ~ column public.users.nickname: comment (none) → the user's chosen name`,
    );
  });

  it('captures transactions, bind parameters, replacements and umzug 3 modules; reads and the environment are gaps; never a crash', () => {
    const folder = sequelizeProject({
      '1-transaction.js': `module.exports = {
  up: (queryInterface, Sequelize) => queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable('t', { id: { type: Sequelize.INTEGER, primaryKey: true }, v: Sequelize.TEXT }, { transaction });
    await queryInterface.sequelize.query('UPDATE t SET v = $1 WHERE id = $2', { bind: ["o'b", 1], transaction });
    await queryInterface.sequelize.query('UPDATE t SET v = :v', { replacements: { v: 'x\\\\y' }, transaction });
  }),
  down: (queryInterface) => queryInterface.dropTable('t'),
};
`,
      '2-describe.js': `module.exports = {
  async up(queryInterface, Sequelize) {
    const columns = await queryInterface.describeTable('t');
    if (!columns.w) await queryInterface.addColumn('t', 'w', Sequelize.INTEGER);
  },
};
`,
      '3-env.js': `module.exports = { async up(queryInterface) { if (process.env.NODE_ENV === 'production') await queryInterface.addIndex('t', ['v']); } };\n`,
      '4-exits.js': 'module.exports = { async up(queryInterface) { process.exit(4); } };\n',
      '5-fine.js': "module.exports = { up: (queryInterface, Sequelize) => queryInterface.addColumn('t', 'z', { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false }) };\n",
      '6-umzug.js': "module.exports = { up: async ({ context: queryInterface }) => { await queryInterface.removeColumn('t', 'z'); } };\n",
      'helper.mjs': 'export const unrelated = 1;\n',
    });
    const result = migcheck(['lint', folder, '--format', 'json', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    const report = reportSchema.parse(JSON.parse(result.stdout));
    expect(partialReason(report, 0)).toBeUndefined();
    expect(kinds(report, 0)).toEqual(['add_table', 'data_change', 'data_change']);
    // describeTable reads the catalog; with no answer Sequelize throws, and the rest of the migration is not run.
    expect(partialReason(report, 1)).toMatch(/reads the database \(`SELECT pk\.constraint_type.*threw before it finished: No description found for "t" table/);
    expect(partialReason(report, 2)).toContain('reads the environment variable NODE_ENV');
    expect(partialReason(report, 3)).toContain('called process.exit(4)');
    expect(report.migrations[4]).toMatchObject({ verdict: 'safe' });
    expect(kinds(report, 4)).toEqual(['add_column']);
    // umzug 3's single argument `{ context }`: the same queryInterface.
    expect(partialReason(report, 5)).toBeUndefined();
    expect(kinds(report, 5)).toEqual(['drop_column']);
    expect(JSON.stringify(report.migrations[0]!.notes)).toContain('not read: helper.mjs');
  });

  it('takes the applied state from SequelizeMeta (plan --database-url)', { timeout: 120_000 }, async () => {
    const db = await createScratchDatabase('sequelize_state');
    try {
      await runStatements(
        db.client,
        `CREATE TABLE users (id serial PRIMARY KEY, email varchar(320) NOT NULL, "createdAt" timestamptz NOT NULL);
         CREATE TABLE "SequelizeMeta" (name varchar(255) PRIMARY KEY);
         INSERT INTO "SequelizeMeta" (name) VALUES ('20240101000000-create-users.js');`,
      );
      const result = migcheck(['plan', fixture, '--database-url', db.url, '--format', 'json', '--no-shadow', '-q']);
      expect(result.stderr).toBe('');
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.migrations.slice(0, 2).map((migration) => [migration.state, migration.stateReason])).toEqual([
        ['applied', 'SequelizeMeta has 20240101000000-create-users.js'],
        ['pending', 'SequelizeMeta lacks 20240102000000-add-nickname.js'],
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe('Sequelize capture: the code never reaches a database', () => {
  const counter = connectionCounter();

  it('records every query with a sequelize config and the environment pointing at a server that counts connections: none arrive', () => {
    const url = counter.url();
    const folder = sequelizeProject({
      '1-create.js': `module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('accounts', { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true }, name: Sequelize.STRING });
    await queryInterface.bulkInsert('accounts', [{ name: "O'Brien" }]);
    await queryInterface.sequelize.authenticate();
  },
  async down(queryInterface) { await queryInterface.dropTable('accounts'); },
};
`,
    });
    mkdirSync(join(folder, '..', 'config'));
    writeFileSync(join(folder, '..', 'config', 'config.json'), JSON.stringify({ development: { url, dialect: 'postgres' } }));
    const report = lintJson([folder], { DATABASE_URL: url, PGHOST: '127.0.0.1', PGPORT: new URL(url).port });
    expect(counter.connections()).toBe(0);
    expect(kinds(report, 0)).toEqual(['unknown', 'add_table', 'data_change']);
    // authenticate() sends SELECT 1+1: a read, answered with nothing.
    expect(partialReason(report, 0)).toContain('reads the database');
  });
});
