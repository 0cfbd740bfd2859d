/**
 * Hostile names and paths through every output format (issue 7, item 1). The SQL output is run the way an
 * operator runs it during an incident (`psql -v ON_ERROR_STOP=1`) on a database holding sentinel tables, after
 * the migrations it undoes were applied there; the other formats must keep one finding per line, stay valid
 * JSON, and hold no raw control byte.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../packages/analyzer/src/report/schema.js';
import { migcheck } from '../helpers/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';
import { checkHumanFormat, checkJson, checkSqlStatements, checkVerifyStatements, hostileNames, psql, quoteIdentForTest as q, SENTINELS, sentinelsIntact, shellMarker } from './hostile.js';

const work = mkdtempSync(join(tmpdir(), 'migcheck-hostile-'));
const marker = shellMarker(work);
const names = hostileNames(marker);
const entries = Object.entries(names);

/** One migration directory: file name → SQL. */
function project(label: string, files: Array<[string, string]>): string {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of files) writeFileSync(join(dir, name), sql);
  return dir;
}

function fileName(index: number, suffix = ''): string {
  return `${String(index + 1).padStart(3, '0')}_${suffix}.sql`;
}

interface Outputs {
  report: Report;
  status: number;
  byFormat: Record<string, string>;
}

/** Runs `migcheck <args>` in every format; the JSON report of the run is parsed for the checks. */
function everyFormat(args: string[]): Outputs {
  const byFormat: Record<string, string> = {};
  let status = -1;
  for (const format of ['json', 'text', 'sql', 'sarif', 'github', 'markdown', 'gitlab', 'verify']) {
    const result = migcheck([...args, '--format', format, '--quiet']);
    expect(result.stderr, `${format} stderr`).toBe('');
    expect([0, 1], `${format} exit status`).toContain(result.status);
    status = result.status;
    byFormat[format] = result.stdout;
  }
  return { report: JSON.parse(byFormat.json!) as Report, status, byFormat };
}

function formatProblems({ report, byFormat }: Outputs): string[] {
  return [
    ...checkJson('json', byFormat.json!),
    ...checkJson('sarif', byFormat.sarif!),
    ...checkJson('gitlab', byFormat.gitlab!),
    ...checkHumanFormat('text', byFormat.text!, report),
    ...checkHumanFormat('github', byFormat.github!, report),
    ...checkHumanFormat('markdown', byFormat.markdown!, report),
    ...checkSqlStatements(byFormat.sql!, report),
    ...checkVerifyStatements(byFormat.verify!, report),
  ];
}

let db: ScratchDatabase;

beforeAll(async () => {
  db = await createScratchDatabase('hostile_formats');
  await db.client.query(SENTINELS);
});

afterAll(async () => {
  await db?.drop();
});

async function publicTables(): Promise<string[]> {
  const result = await db.client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`);
  return result.rows.map((row) => row.relname);
}

async function userColumns(): Promise<string[]> {
  const result = await db.client.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
  return result.rows.map((row) => row.attname);
}

/** Applies the migrations with psql (as a deploy would), then runs migcheck's rollback script the same way. */
function applyThenRollBack(dir: string, files: Array<[string, string]>, rollback: string): void {
  for (const [name, sql] of files) {
    const applied = psql(db.url, sql, work);
    expect(applied.status, `applying ${name}: ${applied.stderr}`).toBe(0);
  }
  const rolledBack = psql(db.url, rollback, work);
  expect(rolledBack.stderr, `the rollback script of ${dir}`).toBe('');
  expect(rolledBack.status).toBe(0);
}

describe('hostile names through every format', () => {
  it('CREATE TABLE with hostile names: the rollback script drops exactly those tables (truncated where Postgres truncates)', async () => {
    const files = entries.map(([, name], index): [string, string] => [fileName(index, 'create'), `CREATE TABLE ${q(name)} (id int, ${q(name)} text);\n`]);
    const dir = project('create-table', files);
    const outputs = everyFormat(['plan', dir, '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    expect(outputs.report.summary.changes).toBe(entries.length);
    applyThenRollBack(dir, files, outputs.byFormat.sql!);
    expect(await sentinelsIntact(db.client)).toEqual([]);
    expect(await publicTables()).toEqual(['orders', 'users']);
    expect(existsSync(marker)).toBe(false);
  });

  it('ADD COLUMN with hostile names: the rollback drops exactly those columns', async () => {
    const files = entries.map(([, name], index): [string, string] => [fileName(index, 'add_column'), `ALTER TABLE users ADD COLUMN ${q(name)} text;\n`]);
    const dir = project('add-column', files);
    const outputs = everyFormat(['plan', dir, '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    applyThenRollBack(dir, files, outputs.byFormat.sql!);
    expect(await sentinelsIntact(db.client)).toEqual([]);
    expect(await userColumns()).toEqual(['id', 'name']);
    expect(existsSync(marker)).toBe(false);
  });

  it('DROP COLUMN with hostile names: the forward-fix-only SQL output runs nothing', async () => {
    const files = entries.map(([, name], index): [string, string] => [fileName(index, 'drop_column'), `ALTER TABLE users DROP COLUMN ${q(name)};\n`]);
    const dir = project('drop-column', files);
    const outputs = everyFormat(['plan', dir, '--no-shadow']);
    expect(outputs.status).toBe(1);
    expect(outputs.report.outcome).toBe('forward-fix-only');
    expect(formatProblems(outputs)).toEqual([]);
    const run = psql(db.url, outputs.byFormat.sql!, work);
    expect(run).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await sentinelsIntact(db.client)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('hostile migration file names: the `-- Undo <path>` lines and every format stay inert', async () => {
    const files = entries.map(([, name], index): [string, string] => [fileName(index, name.replace(/\//g, '_')), `CREATE TABLE file_${index} (id int);\n`]);
    const dir = project('file-names', files);
    const outputs = everyFormat(['plan', dir, '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    expect(outputs.report.migrations).toHaveLength(entries.length);
    applyThenRollBack(dir, files, outputs.byFormat.sql!);
    expect(await sentinelsIntact(db.client)).toEqual([]);
    expect(await publicTables()).toEqual(['orders', 'users']);
    expect(existsSync(marker)).toBe(false);
  });

  it('a file name that is not UTF-8: a verdict with inert output, or exit 2 with one line', () => {
    const dir = join(work, 'non-utf8');
    mkdirSync(dir);
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/001_`), Buffer.from([0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]), Buffer.from('.sql')]), 'CREATE TABLE t (id int);\n');
    for (const format of ['text', 'json', 'sql', 'sarif', 'github', 'markdown', 'gitlab']) {
      const result = migcheck(['plan', dir, '--no-shadow', '--quiet', '--format', format]);
      expect([0, 1, 2], format).toContain(result.status);
      if (result.status === 2) {
        expect(result.stdout).toBe('');
        expect(result.stderr.trimEnd().split('\n'), format).toHaveLength(1);
        expect(result.stderr).not.toMatch(/\x1b|    at /);
      } else {
        expect(result.stdout).not.toMatch(/\x1b/);
      }
    }
  });

  it('a type name with a modifier in GRANT … ON FUNCTION is quoted where it is named', () => {
    const payload = 'x(1)) FROM PUBLIC; DROP TABLE orders; --';
    const files: Array<[string, string]> = [['001_grant.sql', `GRANT EXECUTE ON FUNCTION f(${q(payload)}(1)) TO PUBLIC;\n`]];
    const outputs = everyFormat(['plan', project('grant-type', files), '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    // Without the prior ACL no REVOKE is written (it may take what the role held before); the name stays quoted.
    expect(outputs.report.migrations[0]!.changes[0]!.rollback).toEqual([]);
    expect(outputs.report.migrations[0]!.changes[0]!.reason).toContain(`public.f(${q(payload)}(1))`);
  });

  it('a privilege named by a quoted identifier cannot become statements of the REVOKE', async () => {
    const files: Array<[string, string]> = [['001_grant.sql', `GRANT ${q('select on users from public; drop table orders; --')} ON users TO PUBLIC;\n`]];
    const outputs = everyFormat(['plan', project('grant-privilege', files), '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    psql(db.url, outputs.byFormat.sql!, work);
    expect(await sentinelsIntact(db.client)).toEqual([]);
  });

  it('enum labels with quotes and backslashes are restored exactly, also with standard_conforming_strings off', async () => {
    const labels = entries.map(([, name]) => name).filter((name) => Buffer.byteLength(name) <= 63);
    const literal = (text: string) => `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    await db.client.query(`CREATE TYPE mood AS ENUM (${labels.map(literal).join(', ')})`);
    const files = labels.map((label, index): [string, string] => [fileName(index, 'rename_value'), `ALTER TYPE mood RENAME VALUE ${literal(label)} TO 'renamed_${index}';\n`]);
    const dir = project('enum-labels', files);
    const outputs = everyFormat(['plan', dir, '--no-shadow']);
    expect(formatProblems(outputs)).toEqual([]);
    const off = `SET standard_conforming_strings = off;\n${outputs.byFormat.sql!}`;
    for (const [name, sql] of files) expect(psql(db.url, sql, work).status, name).toBe(0);
    const rolledBack = psql(db.url, off, work);
    expect(rolledBack.stderr).toBe('');
    const restored = await db.client.query<{ enumlabel: string }>(`SELECT enumlabel FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder`);
    expect(restored.rows.map((row) => row.enumlabel)).toEqual(labels);
    expect(await sentinelsIntact(db.client)).toEqual([]);
  });
  it('backups of hostile and long columns (plan --database-url, risk accepted): distinct backup tables, then the drop', async () => {
    const target = await createScratchDatabase('hostile_backup');
    try {
      await target.client.query(SENTINELS);
      // Two names that differ only after the 61st byte: `users__<name>` would be truncated to the same backup name.
      const columns = [`${'c'.repeat(60)}_a`, `${'c'.repeat(60)}_b`, names.newline!, names['escape sequence']!];
      const files = columns.map((column, index): [string, string] => [fileName(index, 'add_column'), `ALTER TABLE users ADD COLUMN ${q(column)} text;\n`]);
      const dir = project('backups', files);
      for (const [name, sql] of files) expect(psql(target.url, sql, work).status, name).toBe(0);
      await target.client.query(`UPDATE users SET ${columns.map((column, index) => `${q(column)} = 'value ${index}'`).join(', ')}`);
      const outputs = everyFormat(['plan', dir, '--database-url', target.url, '--state', 'applied', '--accept-risk']);
      expect(formatProblems(outputs)).toEqual([]);
      expect(outputs.report.verdict).toBe('risky');
      const run = psql(target.url, outputs.byFormat.sql!, work);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(await sentinelsIntact(target.client)).toEqual([]);
      const left = await target.client.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
      expect(left.rows.map((row) => row.attname)).toEqual(['id', 'name']);
      const backups = await target.client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'migcheck_backup'::regnamespace AND relkind = 'r'`);
      expect(backups.rows[0]!.n).toBe(String(columns.length));
    } finally {
      await target.drop();
    }
  });
});
