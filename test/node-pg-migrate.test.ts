/**
 * node-pg-migrate migrations read as code (issue 11): its JS/TS migrations captured through its own
 * MigrationBuilder in the capture child process (no database), its inferred downs, its SQL files with
 * `-- Up Migration` / `-- Down Migration` markers, and its tracking table pgmigrations. Runs the built CLI and runner.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { reportSchema, type Report } from '../packages/analyzer/src/report/schema.js';
import { compareMigrationFileNames, sqlSection } from '../packages/analyzer/src/source/node-pg-migrate/layout.js';
import { createScratchDatabase, runStatements } from './helpers/database.js';
import { migcheck } from './helpers/cli.js';

const fixture = 'fixtures/node-pg-migrate/migrations';

/** A node-pg-migrate project in a temporary folder: `migrations/<name>` for each file. */
function pgmProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'migcheck-pgm-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(root, 'migrations'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'migrations', name), text);
  return join(root, 'migrations');
}

function lintJson(args: string[]): Report {
  const result = migcheck(['lint', ...args, '--format', 'json', '--no-shadow', '-q']);
  if (result.stdout === '') throw new Error(`no report (exit ${result.status}): ${result.stderr}`);
  return reportSchema.parse(JSON.parse(result.stdout));
}

const notesOf = (report: Report, index: number) => JSON.stringify(report.migrations[index]);

describe('node-pg-migrate layout', () => {
  it("cuts an SQL file at node-pg-migrate's markers, keeping lines", () => {
    const text = '-- Up Migration\nCREATE TABLE a ();\n-- Down Migration\nDROP TABLE a;\n';
    expect(sqlSection(text, 'up')).toBe('-- Up Migration\nCREATE TABLE a ();\n                 \n             \n');
    expect(sqlSection(text, 'down')).toBe('               \n                  \n-- Down Migration\nDROP TABLE a;\n');
    expect(sqlSection('CREATE TABLE a ();\n', 'down').trim()).toBe('');
  });

  it('orders files by numeric prefix, then by name, as node-pg-migrate does', () => {
    expect(['10_b.js', '9_a.js', '9_A.sql'].sort(compareMigrationFileNames)).toEqual(['9_a.js', '9_A.sql', '10_b.js']);
  });
});

describe('node-pg-migrate (CLI)', () => {
  it('lints the fixture: captured SQL with verdicts, lines in the migration files, inferred downs said', () => {
    const result = migcheck(['lint', fixture, '--no-shadow']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/1700000000000_create-users\.cjs  safe\n +5:1 +safe +add-table +public\.users/);
    expect(result.stdout).toMatch(/1700000000001_add-nickname\.js  safe\n +3:1 +safe +add-column +public\.users\.nickname/);
    expect(result.stdout).toMatch(/1700000000002_index-emails\.sql  safe\n +2:1 +safe +add-index/);
    expect(result.stdout).toMatch(/1700000000004_add-plan\.ts  safe/);
    expect(result.stdout).toContain('note: down inferred by node-pg-migrate from up');
    expect(result.stdout).toContain('note: no down: node-pg-migrate cannot infer its down');
    expect(result.stdout).toMatch(/1700000000005_count-users\.js  RISKY\n +1:1 +RISKY +code-migration +\(node-pg-migrate migration, not fully captured\)/);
    expect(result.stdout).toContain('through pgm.db.query, which was answered with no rows');
    const report = lintJson([fixture]);
    expect(report.migrations.map((migration) => migration.id)).toEqual([
      '1700000000000_create-users',
      '1700000000001_add-nickname',
      '1700000000002_index-emails',
      '1700000000003_backfill-nicknames',
      '1700000000004_add-plan',
      '1700000000005_count-users',
    ]);
    // Capture rate on the fixture: 5 of 6 migrations captured fully (the sixth reads through pgm.db).
    const partial = report.migrations.filter((migration) => migration.changes.some((change) => change.rule === 'code-migration'));
    expect(partial.map((migration) => migration.id)).toEqual(['1700000000005_count-users']);
    expect(notesOf(report, 1)).toContain('down inferred by node-pg-migrate');
  });

  it('prints a rollback script (plan --format sql), the inferred downs undone in reverse', () => {
    const folder = pgmProject({});
    for (const name of readdirSync(fixture).filter((name) => !/backfill|count-users/.test(name))) copyFileSync(join(fixture, name), join(folder, name));
    const result = migcheck(['plan', folder, '--format', 'sql', '--no-shadow', '-q']);
    expect(result.stderr).toBe('');
    // The production forms (plan/online/): re-runnable, the index dropped without blocking writes.
    expect(result.stdout).toContain('ALTER TABLE IF EXISTS public.users DROP COLUMN IF EXISTS plan;');
    expect(result.stdout).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.users_email_key;');
    expect(result.stdout.indexOf('DROP COLUMN IF EXISTS nickname')).toBeGreaterThan(0);
    expect(result.stdout.indexOf('DROP COLUMN IF EXISTS nickname')).toBeLessThan(result.stdout.indexOf('DROP TABLE IF EXISTS public.users;'));
  });

  it('rehearses the written and the inferred downs in the shadow (verify)', { timeout: 120_000 }, () => {
    const result = migcheck(['verify', fixture, '--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '-q']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/5:1 +safe +add-table +public\.users \[rehearsed\]/);
    expect(result.stdout).toContain(`down (${fixture}/1700000000000_create-users.cjs): restores the schema`);
    expect(result.stdout).toContain(`down (${fixture}/1700000000001_add-nickname.js): restores the schema`);
    expect(result.stdout).toContain(`down (${fixture}/1700000000002_index-emails.sql): restores the schema`);
    expect(result.stdout).toContain(`down (${fixture}/1700000000004_add-plan.ts): restores the schema`);
    // A down node-pg-migrate cannot infer is not rehearsed as an empty one that "restores the schema".
    expect(result.stdout).not.toContain(`down (${fixture}/1700000000003_backfill-nicknames.js)`);
  });

  it('says when the migration has no down node-pg-migrate could run (`down = false`)', () => {
    const folder = pgmProject({
      '1_table.js': 'export const up = (pgm) => { pgm.createTable("t", { id: "id", v: { type: "integer", notNull: true } }); };\n',
      '2_relax.js': 'export const down = false;\nexport const up = (pgm) => { pgm.alterColumn("t", "v", { notNull: false }); };\n',
    });
    const report = lintJson([folder]);
    expect(notesOf(report, 1)).toContain('its down is disabled');
  });

  it('takes the applied state from pgmigrations (plan --database-url)', { timeout: 120_000 }, async () => {
    const db = await createScratchDatabase('pgm_state');
    try {
      await runStatements(
        db.client,
        `CREATE TABLE users (id serial PRIMARY KEY, email varchar(320) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
         INSERT INTO pgmigrations (name, run_on) VALUES ('1700000000000_create-users', now());`,
      );
      const result = migcheck(['plan', fixture, '--database-url', db.url, '--format', 'json', '--no-shadow', '-q']);
      expect(result.stderr).toBe('');
      const report = reportSchema.parse(JSON.parse(result.stdout));
      expect(report.migrations.slice(0, 2).map((migration) => [migration.state, migration.stateReason])).toEqual([
        ['applied', 'pgmigrations has 1700000000000_create-users'],
        ['pending', 'pgmigrations lacks 1700000000001_add-nickname'],
      ]);
    } finally {
      await db.drop();
    }
  });
});
