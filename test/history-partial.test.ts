/**
 * A history that cannot be replayed completely (issue 9): a migration the server refuses, an extension the shadow
 * server lacks, a statement the sandbox role may not run, a goose Go migration. The replay goes as far as it can;
 * every later migration says, next to each verdict and in every output format, that its prior schema is unknown
 * and why; nothing that depends on the prior schema is safe; `--fail-on risky` catches it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { lint, verify } from '../packages/analyzer/src/commands.js';
import { failsOn } from '../packages/analyzer/src/report/build.js';
import { formatReport } from '../packages/analyzer/src/report/index.js';
import { reportSchema, type Report } from '../packages/analyzer/src/report/schema.js';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'migcheck-history-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

async function lintFolder(files: Record<string, string>): Promise<Report> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-history-cache-'));
  folders.push(cacheDir);
  return reportSchema.parse(await lint([project(files)], { shadow: { url: inject('postgresUrl'), cacheDir } }));
}

const byName = (report: Report, name: string) => report.migrations.find((migration) => migration.path.endsWith(name))!;

describe('a history that stops replaying', () => {
  const files = {
    '1_create.sql': 'CREATE TABLE t (id int PRIMARY KEY, a text, b text);\n',
    '2_broken.sql': 'ALTER TABLE no_such_table ADD COLUMN x int;\n',
    '3_add.sql': 'ALTER TABLE t ADD COLUMN c int;\n',
    '4_not_null.sql': 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n',
    '5_default.sql': "ALTER TABLE t ALTER COLUMN b SET DEFAULT 'x';\n",
  };

  it('every migration after the failing one says its prior schema is unknown, next to each verdict', async () => {
    const report = await lintFolder(files);
    expect(byName(report, '1_create.sql').history?.failure).toBeUndefined();
    expect(byName(report, '2_broken.sql').history?.failure).toBeUndefined();
    for (const name of ['3_add.sql', '4_not_null.sql', '5_default.sql']) {
      const migration = byName(report, name);
      expect(migration.history, name).toMatchObject({ failure: expect.stringMatching(/2_broken\.sql:1:\d+: .*no_such_table/), cause: 'failed', replayed: 1 });
      for (const change of migration.changes) expect(change.notes?.[0], name).toMatch(/^Prior schema unknown: .*2_broken\.sql/);
    }
    // SET NOT NULL may have been a no-op: without the prior schema it is not safe.
    expect(byName(report, '4_not_null.sql').changes[0]).toMatchObject({ verdict: 'risky', rollback: [] });
    expect(failsOn(report, 'risky')).toBe(true);
    expect(failsOn(report, 'irreversible')).toBe(false);
  });

  it('verify says it too', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-history-cache-'));
    folders.push(cacheDir);
    const report = reportSchema.parse(await verify([project(files)], { shadow: { url: inject('postgresUrl'), cacheDir } }));
    const migration = byName(report, '4_not_null.sql');
    expect(migration.history).toMatchObject({ failure: expect.stringMatching(/2_broken\.sql/), failedMigration: expect.stringMatching(/2_broken\.sql$/) });
    expect(migration.changes[0]).toMatchObject({ verdict: 'risky', notes: [expect.stringMatching(/^Prior schema unknown/), expect.any(String)] });
  });

  it.each(['text', 'json', 'sql', 'sarif', 'github', 'markdown'] as const)('--format %s says it', async (format) => {
    const report = await lintFolder(files);
    const output = formatReport(report, format, { color: false });
    const said = output.split('Prior schema unknown').length - 1 + (output.split('PRIOR SCHEMA UNKNOWN').length - 1);
    // Once per migration at least (sql: one comment line each); once per change elsewhere.
    expect(said, output).toBeGreaterThanOrEqual(3);
    expect(output).toMatch(/2_broken\.sql/);
  });
});

describe('what stopped the replay is named, with what would help', () => {
  it('an extension the shadow server lacks suggests --shadow-url', async () => {
    const report = await lintFolder({
      '1_ext.sql': 'CREATE EXTENSION no_such_extension_here;\n',
      '2_create.sql': 'CREATE TABLE t (id int, a text);\n',
      '3_not_null.sql': 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n',
    });
    const migration = byName(report, '3_not_null.sql');
    expect(migration.history).toMatchObject({ cause: 'missing-extension', hint: expect.stringMatching(/--shadow-url.*|no_such_extension_here.*--shadow-url/) });
    expect(formatReport(report, 'text', { color: false })).toMatch(/hint: .*--shadow-url/);
  });

  it('a statement the sandbox role may not run is said to be refused by the sandbox', async () => {
    const report = await lintFolder({
      '1_create.sql': 'CREATE TABLE t (id int, a text);\n',
      '2_role.sql': 'CREATE ROLE migcheck_history_test_role;\n',
      '3_not_null.sql': 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n',
    });
    expect(byName(report, '3_not_null.sql').history).toMatchObject({ cause: 'permission', hint: expect.stringMatching(/sandbox role/) });
    expect(byName(report, '3_not_null.sql').changes[0]!.verdict).toBe('risky');
  });
});

describe('a goose history with a Go migration', () => {
  it('every migration after the Go step says so, replayed or not', async () => {
    const report = await lintFolder({
      '00001_create.sql': '-- +goose Up\nCREATE TABLE t (id int PRIMARY KEY, a text);\n-- +goose Down\nDROP TABLE t;\n',
      '00002_backfill.go': 'package migrations\n',
      '00003_add.sql': '-- +goose Up\nALTER TABLE t ADD COLUMN c int;\n-- +goose Down\nALTER TABLE t DROP COLUMN c;\n',
    });
    const migration = byName(report, '00003_add.sql');
    expect(migration.history).toMatchObject({ cause: 'code', failure: expect.stringMatching(/00002_backfill\.go.*Go/) });
    expect(migration.changes[0]!.notes?.[0]).toMatch(/Prior schema unknown/);
    expect(byName(report, '00001_create.sql').history?.failure).toBeUndefined();
  });
});
