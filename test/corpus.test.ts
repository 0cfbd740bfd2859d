/**
 * Robustness on real migrations nobody here wrote (../shared/corpora, see its README): Lemmy's 342
 * diesel migrations, 684 files. Every file must parse; linting the directory must not crash.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeMigrations } from '../packages/analyzer/src/plan/analyze.js';
import { buildReport } from '../packages/analyzer/src/report/build.js';
import { reportSchema } from '../packages/analyzer/src/report/schema.js';
import { discoverMigrations } from '../packages/analyzer/src/source/discover.js';
import { loadParser, parseSql } from '../packages/analyzer/src/source/parse.js';
import { SqlText } from '../packages/analyzer/src/source/sql-text.js';

const lemmy = resolve(import.meta.dirname, '../../shared/corpora/lemmy');

describe.skipIf(!existsSync(lemmy))('Lemmy corpus (../shared/corpora/lemmy)', () => {
  it('parses all 684 files, up and down', async () => {
    await loadParser();
    const migrations = discoverMigrations([lemmy]);
    expect(migrations).toHaveLength(342);
    expect(migrations.every((migration) => migration.layout === 'diesel' && migration.down)).toBe(true);
    const files = migrations.flatMap((migration) => [migration.up, migration.down!]);
    expect(files).toHaveLength(684);
    let statements = 0;
    for (const file of files) statements += parseSql(new SqlText(file.text), file.path).length;
    expect(statements).toBeGreaterThan(3000);
    // Every folder is a migration: nothing in the corpus was skipped.
    expect(readdirSync(lemmy).filter((name) => existsSync(join(lemmy, name, 'up.sql')))).toHaveLength(342);
  });

  it('lints the whole history into a valid report, recognising every statement', async () => {
    const report = buildReport('lint', await analyzeMigrations(discoverMigrations([lemmy])));
    expect(reportSchema.parse(report).summary.migrations).toBe(342);
    const changes = report.migrations.flatMap((migration) => migration.changes);
    expect(changes.length).toBeGreaterThan(3000);
    // No statement fell through to the catch-all; DO blocks are the only code migcheck cannot see into.
    expect(changes.filter((change) => change.rule === 'unknown-statement')).toEqual([]);
    expect(changes.filter((change) => change.kind === 'unknown').every((change) => change.object === '(DO block)')).toBe(true);
    // The first migration that drops a column is forward-fix-only.
    expect(report.outcome).toBe('forward-fix-only');
    expect(changes.some((change) => change.kind === 'drop_column' && change.verdict === 'irreversible')).toBe(true);
  });
});
