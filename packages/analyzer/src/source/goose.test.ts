import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeMigrations } from '../plan/analyze.js';
import { buildReport } from '../report/build.js';
import { discoverMigrations, historyOf } from './discover.js';
import { isGooseProblem, parseGooseFile } from './goose.js';

const FILE = `-- a header comment goose skips
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
ALTER TABLE a ADD COLUMN b int;

-- +goose Down
ALTER TABLE a DROP COLUMN b;
DROP FUNCTION touch();
`;

function gooseFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-goose-'));
  writeFileSync(join(dir, '00001_create.sql'), '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n');
  writeFileSync(join(dir, '00002_touch.sql'), FILE);
  writeFileSync(join(dir, '00003_backfill.go'), 'package migrations\n\nfunc init() { goose.AddMigrationNoTxContext(up, down) }\n');
  writeFileSync(join(dir, '00010_index.sql'), '-- +goose no transaction\n-- +goose up\nCREATE INDEX CONCURRENTLY a_b ON a (b);\n');
  writeFileSync(join(dir, '00011_envsub.sql'), '-- +goose Up\n-- +goose ENVSUB ON\nCREATE ROLE reader;\n-- +goose ENVSUB OFF\n');
  writeFileSync(join(dir, 'migrations.go'), 'package migrations\n');
  writeFileSync(join(dir, '00004_x_test.go'), 'package migrations\n');
  writeFileSync(join(dir, 'README.md'), '# migrations\n');
  return dir;
}

describe('goose SQL files', () => {
  it('orders SQL and Go migrations by integer version; .go files are code steps, other files are ignored', () => {
    const dir = gooseFolder();
    const migrations = discoverMigrations([dir], { cwd: dir });
    expect(migrations.map((migration) => [migration.id, migration.layout, migration.code?.language ?? 'sql'])).toEqual([
      ['00001_create', 'goose', 'sql'],
      ['00002_touch', 'goose', 'sql'],
      ['00003_backfill', 'goose', 'go'],
      ['00010_index', 'goose', 'sql'],
      ['00011_envsub', 'goose', 'sql'],
    ]);
    expect(migrations[2]!.up).toMatchObject({ path: '00003_backfill.go', text: '' });
    expect(historyOf(migrations[3]!).map((migration) => migration.id)).toEqual(['00001_create', '00002_touch', '00003_backfill']);
  });

  it('reads only the Up section as the migration, the Down section as its down, lines kept', () => {
    const dir = gooseFolder();
    const touch = discoverMigrations([join(dir, '00002_touch.sql')], { cwd: dir })[0]!;
    const upLines = touch.up.text.split('\n');
    expect(upLines).toHaveLength(FILE.split('\n').length);
    expect(upLines[3]).toBe('CREATE FUNCTION touch() RETURNS trigger AS $$');
    expect(touch.up.text).not.toMatch(/DROP/);
    expect(touch.down!.text.split('\n')[13]).toBe('ALTER TABLE a DROP COLUMN b;');
    expect(touch.down!.text).not.toMatch(/CREATE/);
    expect(touch.transaction).toBe(true);
  });

  it('keeps NO TRANSACTION (any case) and notes ENVSUB ON, which migcheck does not apply', () => {
    const dir = gooseFolder();
    const migrations = discoverMigrations([dir], { cwd: dir });
    expect(migrations[3]!.transaction).toBe(false);
    expect(migrations[3]!.down).toBeUndefined();
    expect(migrations[4]!.notes).toEqual([expect.stringContaining('ENVSUB ON: goose replaces ${VAR}')]);
  });

  it('lints the Up section only, and calls the Go migration "code migration, not read" (risky, never safe)', async () => {
    const dir = gooseFolder();
    const report = buildReport('lint', await analyzeMigrations(discoverMigrations([dir], { cwd: dir })));
    const byId = new Map(report.migrations.map((migration) => [migration.id, migration]));
    expect(byId.get('00002_touch')!.changes.map((change) => change.kind)).toEqual(['create_object', 'add_column']);
    expect(byId.get('00002_touch')!.verdict).not.toBe('irreversible');
    expect(byId.get('00003_backfill')).toMatchObject({ verdict: 'risky', statements: 0, path: '00003_backfill.go' });
    expect(byId.get('00003_backfill')!.changes).toEqual([
      expect.objectContaining({ rule: 'code-migration', kind: 'unknown', verdict: 'risky', reason: expect.stringMatching(/^Code migration, not read/) }),
    ]);
    expect(byId.get('00011_envsub')!.notes).toEqual([expect.stringContaining('ENVSUB ON')]);
  });
});

describe('parseGooseFile refuses what goose refuses', () => {
  it.each([
    ['no Up annotation', 'CREATE TABLE a (id int);\n', 1, 1, /^SQL before the '-- \+goose Up' annotation/],
    ['only comments', '-- nothing\n', 1, 1, /^no '-- \+goose Up' annotation/],
    ['a second Up', '-- +goose Up\nSELECT 1;\n-- +goose Up\n', 3, 1, /^a second '-- \+goose Up'/],
    ['Down first', '-- +goose Down\nSELECT 1;\n', 1, 1, /^'-- \+goose Down' before/],
    ['an unclosed StatementBegin', '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', 2, 1, /StatementEnd/],
    ['a StatementEnd alone', '-- +goose Up\n-- +goose StatementEnd\n', 2, 1, /without a StatementBegin/],
  ])('%s', (_what, text, line, column, message) => {
    const parsed = parseGooseFile(text);
    expect(isGooseProblem(parsed)).toBe(true);
    expect(parsed).toMatchObject({ line, column, message: expect.stringMatching(message) });
  });

  it('a refused file stops discovery with its path, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-goose-'));
    writeFileSync(join(dir, '1_a.sql'), '-- +goose Up\nSELECT 1;\n');
    writeFileSync(join(dir, '2_b.sql'), '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n');
    expect(() => discoverMigrations([dir], { cwd: dir })).toThrow(/^2_b\.sql:2:1: '-- \+goose StatementBegin' is never ended/);
  });
});
