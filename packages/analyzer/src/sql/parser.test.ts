/**
 * The parser loads on first need (./parser.ts): a lint whose results all come from the result cache and whose
 * report is forward-fix only loads none; one with a rollback script loads it, because the script's steps are parsed.
 * Each check imports the analyzer afresh (vi.resetModules), so that the parser state is that of a new process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function temporary(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** A project of `files`, linted once to fill a cache; then a run with modules as a new process has them. */
async function warmLint(files: Record<string, string>, paths: (folder: string) => string[] = (folder) => [folder]) {
  const folder = temporary('migcheck-parser-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  const options = { shadow: false as const, resultCache: { cacheDir: temporary('migcheck-parser-cache-') } };
  await (await import('../commands.js')).lint(paths(folder), options);
  vi.resetModules();
  const { lint } = await import('../commands.js');
  const parser = await import('./parser.js');
  expect(parser.parserLoaded()).toBe(false);
  const report = await lint(paths(folder), options);
  return { report, parserLoaded: parser.parserLoaded() };
}

describe('the parser is loaded only when a run parses', () => {
  it('a cached forward-fix-only lint of a history loads no parser', async () => {
    const { report, parserLoaded } = await warmLint({
      '1_create.sql': 'CREATE TABLE t (id int PRIMARY KEY, a text);\n',
      '2_drop.sql': 'DROP TABLE t;\n',
    });
    expect(report.outcome).toBe('forward-fix-only');
    expect(report.rollback).toBeNull();
    expect(parserLoaded).toBe(false);
  });

  it('a cached lint with a rollback script loads it, and parses the steps', async () => {
    const { report, parserLoaded } = await warmLint({
      '1_create.sql': 'CREATE TABLE t (id int PRIMARY KEY, a text);\n',
      '2_index.sql': 'CREATE INDEX t_a ON t (a);\n',
    });
    expect(report.outcome).toBe('rollback');
    expect(report.rollback?.sql).toContain('DROP INDEX CONCURRENTLY IF EXISTS');
    expect(parserLoaded).toBe(true);
  });

  it('a pull request of one file loads it before its history is read, and its script is the same', async () => {
    const files = { '1_create.sql': 'CREATE TABLE t (id int PRIMARY KEY, a text);\n', '2_index.sql': 'CREATE INDEX t_a ON t (a);\n' };
    const { report, parserLoaded } = await warmLint(files, (folder) => [join(folder, '2_index.sql')]);
    expect(parserLoaded).toBe(true);
    expect(report.rollback?.sql).toContain('DROP INDEX CONCURRENTLY IF EXISTS');
  });

  it('parsing before the parser is loaded is an error of migcheck, not a verdict on the SQL', async () => {
    vi.resetModules();
    const parser = await import('./parser.js');
    let thrown: unknown;
    try {
      parser.parseSync('SELECT 1');
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).toContain('loadParser() must be awaited');
    expect(parser.hasSqlDetails(thrown)).toBe(false);
    await parser.loadParser();
    expect(parser.parseSync('SELECT 1').stmts).toHaveLength(1);
  });
});
