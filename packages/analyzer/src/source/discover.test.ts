import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { discoverMigrations, historyOf } from './discover.js';

const root = resolve(import.meta.dirname, '../../../../');
const layouts = join(root, 'fixtures/layouts');
const discover = (...paths: string[]) => discoverMigrations(paths, { cwd: root });

describe('discoverMigrations', () => {
  it.each([
    ['plain', ['1_create_a', '2_add_b', '10_add_c']],
    ['flyway', ['1_create_a', '1.1_add_b', '1.10_add_c', 'R_a_view']],
    ['golang-migrate', ['000001_create_a', '000002_add_b']],
    ['diesel', ['2024-01-01-000000_create_a', '2024-02-01-120000_add_b']],
    ['dbmate', ['20240101000000_create_a', '20240201000000_add_b']],
    ['prisma', ['20240101000000_init', '20240201000000_add_b']],
  ])('recognises the %s layout and orders by version, numeric-aware', (layout, ids) => {
    const migrations = discover(`fixtures/layouts/${layout}`);
    expect(migrations.map((m) => m.layout)).toEqual(ids.map(() => layout));
    expect(migrations.map((m) => m.id)).toEqual(ids);
  });

  it('pairs down migrations with their up', () => {
    const [flyway] = discover('fixtures/layouts/flyway/V1_1__add_b.sql');
    expect(flyway!.down?.path).toBe('fixtures/layouts/flyway/U1_1__add_b.sql');
    const [golang] = discover('fixtures/layouts/golang-migrate/000002_add_b.up.sql');
    expect(golang!.down?.path).toBe('fixtures/layouts/golang-migrate/000002_add_b.down.sql');
  });

  it('gives a file inside a migrations directory the earlier migrations as history', () => {
    const [migration] = discover('fixtures/layouts/diesel/2024-02-01-120000_add_b/up.sql');
    expect(migration!.path).toBe('fixtures/layouts/diesel/2024-02-01-120000_add_b/up.sql');
    expect(historyOf(migration!).map((m) => m.id)).toEqual(['2024-01-01-000000_create_a']);
    const [plain] = discover('fixtures/layouts/plain/10_add_c.sql');
    expect(historyOf(plain!).map((m) => m.id)).toEqual(['1_create_a', '2_add_b']);
  });

  it('splits dbmate files into up and down sections, keeping line numbers', () => {
    const [migration] = discover(join(layouts, 'dbmate/20240201000000_add_b.sql'));
    expect(migration!.up.text.split('\n')[1]).toBe('ALTER TABLE a ADD COLUMN b int;');
    expect(migration!.up.text).not.toContain('DROP');
    expect(migration!.down!.text.split('\n')[4]).toBe('ALTER TABLE a DROP COLUMN b;');
  });

  it('reads a lone file with no history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-'));
    writeFileSync(join(dir, 'notes.txt'), 'not sql');
    writeFileSync(join(dir, 'fix.sql'), 'SELECT 1;');
    const migrations = discoverMigrations([join(dir, 'fix.sql'), join(dir, 'fix.sql')], { cwd: dir });
    expect(migrations).toHaveLength(1);
    expect(migrations[0]).toMatchObject({ layout: 'plain', path: 'fix.sql' });
  });

  it('rejects missing paths, empty directories, and files that are not UTF-8 text', () => {
    expect(() => discover('fixtures/nope')).toThrow(InputError);
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-'));
    expect(() => discoverMigrations([dir], { cwd: dir })).toThrow(/no migrations found/);
    writeFileSync(join(dir, 'bad.sql'), Buffer.from([0x53, 0x45, 0x4c, 0x0a, 0xff, 0xfe]));
    // Files are read on first use of their text.
    expect(() => discoverMigrations([join(dir, 'bad.sql')], { cwd: dir })[0]!.up.text).toThrow('bad.sql:2:1: cannot read file: not valid UTF-8');
    const other = mkdtempSync(join(tmpdir(), 'migcheck-'));
    writeFileSync(join(other, 'bin.sql'), Buffer.from('SELECT\u0000'));
    expect(() => discoverMigrations([join(other, 'bin.sql')], { cwd: other })[0]!.up.text).toThrow('bin.sql:1:7: cannot read file: binary file (NUL byte)');
  });
});
