/**
 * Each tool's own order and files (issue 9): which files of a folder are migrations, and in what order the tool
 * runs them. Folders are written to a temporary directory, then discovered as `migcheck` would.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { discoverMigrations, type Migration } from './discover.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-orders-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const discover = (dir: string): Migration[] => discoverMigrations([dir], { cwd: dir });
const ids = (dir: string) => discover(dir).map((migration) => migration.id);

describe('diesel', () => {
  it('compares versions with their dashes removed: 14-digit and dashed versions interleave', () => {
    const dir = folder({
      '20140924113530_users/up.sql': 'CREATE TABLE users (id int);',
      '2017-08-31-230457_posts/up.sql': 'CREATE TABLE posts (id int);',
      '2013-01-01-000000_setup/up.sql': 'SELECT 1;',
      '20180101000000_more/up.sql': 'SELECT 1;',
      '2019-02-26-002946_last/up.sql': 'SELECT 1;',
    });
    expect(ids(dir)).toEqual(['2013-01-01-000000_setup', '20140924113530_users', '2017-08-31-230457_posts', '20180101000000_more', '2019-02-26-002946_last']);
    expect(discover(dir).every((migration) => migration.layout === 'diesel')).toBe(true);
  });

  it('reads metadata.toml run_in_transaction = false', () => {
    const dir = folder({ '2024-01-01-000000_a/up.sql': 'SELECT 1;', '2024-01-01-000000_a/metadata.toml': 'run_in_transaction = false\n', '2024-02-01-000000_b/up.sql': 'SELECT 1;' });
    expect(discover(dir).map((migration) => migration.transaction)).toEqual([false, true]);
  });
});

describe('Flyway', () => {
  it('compares dotted versions part by part: 1.9, 1.9.1, 1.10, 2; repeatables last, by name', () => {
    const dir = folder({
      'V1_10__c.sql': 'SELECT 1;',
      'V1_9__a.sql': 'SELECT 1;',
      'V1.9.1__b.sql': 'SELECT 1;',
      'V2__d.sql': 'SELECT 1;',
      'V1_01__first.sql': 'SELECT 1;',
      'R__b_view.sql': 'SELECT 1;',
      'R__a_view.sql': 'SELECT 1;',
      'U1_9__a.sql': 'SELECT 1;',
    });
    expect(ids(dir)).toEqual(['1.01_first', '1.9_a', '1.9.1_b', '1.10_c', '2_d', 'R_a_view', 'R_b_view']);
    expect(discover(dir)[1]!.down?.path).toBe('U1_9__a.sql');
  });
});

describe('golang-migrate and sqlx', () => {
  it('compares integer versions, and refuses two files of one version as the tool does', () => {
    expect(ids(folder({ '10_c.up.sql': '', '2_b.up.sql': '', '1_a.up.sql': '', '1_a.down.sql': '' }))).toEqual(['1_a', '2_b', '10_c']);
    const duplicate = folder({ '1_a.up.sql': 'SELECT 1;', '001_b.up.sql': 'SELECT 1;' });
    expect(() => discover(duplicate)).toThrow(InputError);
    expect(() => discover(duplicate)).toThrow(/1_a\.up\.sql:1:1: version 1 is also the version of 001_b\.up\.sql: golang-migrate refuses/);
  });
});

describe('dbmate', () => {
  it('compares versions as text, as dbmate does, and reads transaction:false', () => {
    const dir = folder({
      '9_b.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n',
      '10_a.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\n',
    });
    expect(ids(dir)).toEqual(['10_a', '9_b']);
    expect(discover(dir).map((migration) => migration.transaction)).toEqual([false, true]);
  });
});

describe('Prisma', () => {
  it('orders folders by name and ignores what is not a migration folder', () => {
    const dir = folder({
      '20240201000000_b/migration.sql': 'SELECT 1;',
      '20240101000000_a/migration.sql': 'SELECT 1;',
      'manual_fix/migration.sql': 'SELECT 1;',
      'migration_lock.toml': 'provider = "postgresql"\n',
      'README.md': '# notes\n',
      '.20230101000000_hidden/migration.sql': 'DROP TABLE t;',
    });
    expect(ids(dir)).toEqual(['20240101000000_a', '20240201000000_b', 'manual_fix']);
    expect(discover(dir)[0]!.directory!.notes).toEqual([]);
  });
});

describe('drizzle', () => {
  const journal = (tags: unknown[]) => JSON.stringify({ version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) });

  it('follows meta/_journal.json, and says which .sql files the journal does not run', () => {
    const dir = folder({
      'meta/_journal.json': journal(['0000_init', '0002_second', '0001_third']),
      'meta/0000_snapshot.json': '{}',
      '0000_init.sql': 'CREATE TABLE a (id int);',
      '0001_third.sql': 'SELECT 1;',
      '0002_second.sql': 'SELECT 1;',
      '0003_stray.sql': 'DROP TABLE a;',
    });
    const migrations = discover(dir);
    expect(migrations.map((migration) => migration.id)).toEqual(['0000_init', '0002_second', '0001_third']);
    expect(migrations[0]!.layout).toBe('drizzle');
    expect(migrations[0]!.directory!.notes).toEqual([expect.stringMatching(/^read as a drizzle folder \(3 migrations\); not read, as drizzle would not run it: 0003_stray\.sql/)]);
  });

  it('refuses a journal whose tag is a path, or names a missing file', () => {
    expect(() => discover(folder({ 'meta/_journal.json': journal(['../../etc/passwd']), '0000_a.sql': '' }))).toThrow(/_journal\.json:1:1: entry 0: the tag "\.\.\/\.\.\/etc\/passwd" is not a file name/);
    expect(() => discover(folder({ 'meta/_journal.json': journal(['0000_a', '0001_b']), '0000_a.sql': '' }))).toThrow(/entry 1: no file 0001_b\.sql/);
    expect(() => discover(folder({ 'meta/_journal.json': '{"entries": [', '0000_a.sql': '' }))).toThrow(/_journal\.json:1:1: not valid JSON/);
  });
});

describe('ambiguous folders', () => {
  it('says which layout it chose and which files it did not read', () => {
    const dir = folder({ '1_a.up.sql': 'SELECT 1;', '1_a.down.sql': 'SELECT 1;', '2_b.up.sql': 'SELECT 1;', 'seed.sql': 'INSERT INTO a VALUES (1);', '3_c.sql': '-- migrate:up\nSELECT 1;\n' });
    const migrations = discover(dir);
    expect(migrations.map((migration) => migration.id)).toEqual(['1_a', '2_b']);
    expect(migrations[0]!.directory!.notes).toEqual([
      'read as a golang-migrate folder (2 migrations); not read, as golang-migrate would not run them: 3_c.sql, seed.sql (they fit the dbmate layout)',
    ]);
  });

  it('has no note when every SQL file is read', () => {
    const dir = folder({ '1_a.up.sql': '', '1_a.down.sql': '', 'README.md': '', 'atlas.sum': '' });
    expect(discover(dir)[0]!.directory!.notes).toEqual([]);
  });
});
