/**
 * lint's result cache: an unchanged migration is read back, not analysed again; a change to it, to any earlier
 * migration of its history or to migcheck's version is a miss; an entry that is corrupt, foreign or forged is
 * ignored; and the report of a cached run is the report of an uncached one (the whole Lemmy corpus, with the
 * shadow's prior schema, on the run's real PostgreSQL).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { lint, type LintOptions } from '../commands.js';
import { analyzeMigrations } from '../plan/analyze.js';
import { buildReport } from '../report/build.js';
import { formatReport } from '../report/index.js';
import { discoverMigrations, type Migration } from '../source/discover.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { lintWithResultCache, resultKeys, type LintResults, type OnAnalyzed } from './result-cache.js';

const EMPTY = {
  schemas: {}, extensions: {}, enums: {}, compositeTypes: {}, domains: {}, rangeTypes: {}, baseTypes: {}, sequences: {},
  tables: {}, views: {}, materializedViews: {}, indexes: {}, constraints: {}, triggers: {}, policies: {}, functions: {},
} satisfies SchemaSnapshot;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function temporary(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

function project(files: Record<string, string>): string {
  const folder = temporary('migcheck-results-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

const FILES = {
  '1_create.sql': 'CREATE TABLE t (id int PRIMARY KEY, a text);\nCREATE INDEX t_a ON t (a);\n',
  '2_add.sql': 'ALTER TABLE t ADD COLUMN b text;\n',
  '3_drop.sql': 'DROP INDEX t_a;\nALTER TABLE t DROP COLUMN a;\n',
};

/** A cached lint of the folder (static: the prior schema is exercised by the corpus test), and which migrations missed. */
async function cachedLint(folder: string, cacheDir: string, module: { lintWithResultCache: typeof lintWithResultCache } = { lintWithResultCache }) {
  const missed: string[] = [];
  const analyze = async (misses: Migration[]): Promise<LintResults> => {
    missed.push(...misses.map((migration) => migration.id));
    return { analyzed: await analyzeMigrations(misses), history: new Map() };
  };
  const { analyzed, history } = await module.lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir }, analyze);
  return { missed, json: formatReport(buildReport('lint', analyzed, { history }), 'json') };
}

const entries = (cacheDir: string) => readdirSync(join(cacheDir, 'results')).filter((name) => name.endsWith('.json')).map((name) => join(cacheDir, 'results', name));

describe('the result cache', () => {
  it('answers an unchanged history from the cache, with the same report', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    const first = await cachedLint(folder, cacheDir);
    expect(first.missed).toEqual(['1_create', '2_add', '3_drop']);
    expect(entries(cacheDir)).toHaveLength(3);
    const second = await cachedLint(folder, cacheDir);
    expect(second.missed).toEqual([]);
    expect(second.json).toBe(first.json);
  });

  it('stores entries as ASCII (their text decodes to half the memory), and reads back any character as it was', async () => {
    const folder = project({ ...FILES, '2_add.sql': "ALTER TABLE t ADD COLUMN b text DEFAULT 'é … 😀 \u2028';\nUPDATE t SET a = '…';\n" });
    const cacheDir = temporary('migcheck-results-cache-');
    const first = await cachedLint(folder, cacheDir);
    expect(first.json).toContain('…');
    const stored = entries(cacheDir).map((entry) => readFileSync(entry, 'utf8'));
    for (const text of stored) expect(text).toMatch(/^[\x00-\x7f]*$/);
    expect(stored.some((text) => JSON.parse(text).texts.some((statement: string) => statement.includes("'é … 😀 \u2028'")))).toBe(true);
    const second = await cachedLint(folder, cacheDir);
    expect(second.missed).toEqual([]);
    expect(second.json).toBe(first.json);
  });

  it('misses a migration whose own SQL changed, and only it', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    await cachedLint(folder, cacheDir);
    writeFileSync(join(folder, '3_drop.sql'), 'DROP INDEX t_a;\n');
    const changed = await cachedLint(folder, cacheDir);
    expect(changed.missed).toEqual(['3_drop']);
    expect(JSON.parse(changed.json).summary.irreversible).toBe(0);
  });

  it('misses every migration after an earlier one that changed', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    await cachedLint(folder, cacheDir);
    writeFileSync(join(folder, '2_add.sql'), 'ALTER TABLE t ADD COLUMN c text;\n');
    expect((await cachedLint(folder, cacheDir)).missed).toEqual(['2_add', '3_drop']);
  });

  it('misses when the analysis settings change (shadow or not, and which server), but not with the password', () => {
    const migrations = discoverMigrations([project(FILES)]);
    const key = (shadow: false | { url?: string }) => resultKeys(migrations, { shadow }).get(migrations[2]!);
    expect(key(false)).not.toBe(key({}));
    expect(key({ url: 'postgres://u:one@host/db' })).not.toBe(key({}));
    expect(key({ url: 'postgres://u:one@host/db' })).not.toBe(key({ url: 'postgres://u:one@other/db' }));
    expect(key({ url: 'postgres://u:one@host/db' })).toBe(key({ url: 'postgres://u:two@host/db' }));
    expect(key({ url: 'host=h password=one dbname=d' })).toBe(key({ url: "host=h password='two' dbname=d" }));
  });

  it('misses every migration when migcheck’s version changes', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    await cachedLint(folder, cacheDir);
    vi.resetModules();
    vi.doMock('../version.js', () => ({ VERSION: '999.0.0' }));
    try {
      const newer = (await import('./result-cache.js')) as { lintWithResultCache: typeof lintWithResultCache };
      expect((await cachedLint(folder, cacheDir, newer)).missed).toEqual(['1_create', '2_add', '3_drop']);
    } finally {
      vi.doUnmock('../version.js');
      vi.resetModules();
    }
  });

  it('ignores a corrupt entry, a foreign one (stored under another key) and a forged verdict', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    const first = await cachedLint(folder, cacheDir);
    const keys = resultKeys(discoverMigrations([folder]), { shadow: false });
    const [one, two, three] = [...keys.values()].map((key) => join(cacheDir, 'results', `${key}.json`));
    writeFileSync(one!, '{"format": "migcheck-lint-result-v1", "key": ');
    // The entry of 3_drop (irreversible) under the key of 2_add: foreign.
    writeFileSync(two!, readFileSync(three!, 'utf8'));
    // 3_drop's own entry claiming "safe" for changes that are not: the verdict must be its changes' worst.
    const forged = JSON.parse(readFileSync(three!, 'utf8')) as { verdict: string };
    writeFileSync(three!, JSON.stringify({ ...forged, verdict: 'safe' }));
    const again = await cachedLint(folder, cacheDir);
    expect(again.missed).toEqual(['1_create', '2_add', '3_drop']);
    expect(again.json).toBe(first.json);
    // Each was replaced by a good entry.
    expect((await cachedLint(folder, cacheDir)).missed).toEqual([]);
  });

  it('stores the prior schemas of a history small (most as the lines that changed), and reads them back as they were', async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`${index + 1}_add.sql`, `ALTER TABLE t ADD COLUMN c${index} text;\n`]));
    const folder = project({ '0_create.sql': 'CREATE TABLE t (id int);\n', ...files });
    const cacheDir = temporary('migcheck-results-cache-');
    // The prior schema of migration k: 200 tables, and table t with its first k columns.
    const tables = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`public.other${index}`, { name: `other${index}`, columns: { id: { type: 'integer' } } }]));
    const priorOf = (migration: Migration) => ({
      ...(JSON.parse(JSON.stringify(EMPTY)) as SchemaSnapshot),
      tables: { ...tables, 'public.t': { name: 't', columns: Object.fromEntries(Array.from({ length: migration.index }, (_, index) => [`c${index}`, { type: 'text' }])) } },
    }) as unknown as SchemaSnapshot;
    const analyze = async (misses: Migration[]): Promise<LintResults> => ({
      analyzed: (await analyzeMigrations(misses)).map((analyzed) => ({ ...analyzed, prior: priorOf(analyzed.migration) })),
      history: new Map(),
    });
    const migrations = discoverMigrations([folder]);
    await lintWithResultCache(migrations, { shadow: false }, { cacheDir }, analyze);
    const priors = join(cacheDir, 'results', 'priors');
    const stored = readdirSync(priors);
    expect(stored).toHaveLength(31);
    const bytes = stored.reduce((sum, name) => sum + readFileSync(join(priors, name)).length, 0);
    expect(bytes).toBeLessThan((31 * JSON.stringify(priorOf(migrations[30]!)).length) / 5);
    const again = await lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir }, analyze);
    again.analyzed.forEach((analyzed, index) => expect(analyzed.prior).toEqual(priorOf(migrations[index]!)));
  });

  it('a prior schema that several migrations share is stored once, and each reads it back', async () => {
    // A column added, dropped, added again, with data-only migrations between: the priors go A A B A A B B.
    const withColumn = [false, false, true, false, false, true, true];
    const folder = project(Object.fromEntries(withColumn.map((_, index) => [`${index}_step.sql`, `INSERT INTO t (id) VALUES (${index});\n`])));
    const cacheDir = temporary('migcheck-results-cache-');
    const tables = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`public.other${index}`, { name: `other${index}`, columns: { id: { type: 'integer' } } }]));
    const priorOf = (migration: Migration) => ({
      ...(JSON.parse(JSON.stringify(EMPTY)) as SchemaSnapshot),
      tables: { ...tables, 'public.t': { name: 't', columns: withColumn[migration.index] ? { id: { type: 'integer' }, c: { type: 'text' } } : { id: { type: 'integer' } } } },
    }) as unknown as SchemaSnapshot;
    const missed: string[] = [];
    const analyze = async (misses: Migration[]): Promise<LintResults> => {
      missed.push(...misses.map((migration) => migration.id));
      return { analyzed: (await analyzeMigrations(misses)).map((analyzed) => ({ ...analyzed, prior: priorOf(analyzed.migration) })), history: new Map() };
    };
    const migrations = discoverMigrations([folder]);
    await lintWithResultCache(migrations, { shadow: false }, { cacheDir }, analyze);
    expect(readdirSync(join(cacheDir, 'results', 'priors'))).toHaveLength(2);
    missed.length = 0;
    const again = await lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir }, analyze);
    expect(missed).toEqual([]); // every entry and its prior read back: none analysed again
    again.analyzed.forEach((analyzed, index) => expect(analyzed.prior, migrations[index]!.id).toEqual(priorOf(migrations[index]!)));
    // The entries gone, their priors kept: another run stores the priors again, keeps their files as they are.
    for (const name of readdirSync(join(cacheDir, 'results'))) if (name.endsWith('.json')) rmSync(join(cacheDir, 'results', name));
    await lintWithResultCache(migrations, { shadow: false }, { cacheDir }, analyze);
    expect(readdirSync(join(cacheDir, 'results', 'priors'))).toHaveLength(2);
    missed.length = 0;
    const third = await lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir }, analyze);
    expect(missed).toEqual([]);
    third.analyzed.forEach((analyzed, index) => expect(analyzed.prior, migrations[index]!.id).toEqual(priorOf(migrations[index]!)));
  });

  it('stores a result told early while the analysis goes on, once, and the others when it ends', async () => {
    const folder = project(FILES);
    const cacheDir = temporary('migcheck-results-cache-');
    const storedDuring: number[] = [];
    const analyze = async (misses: Migration[], onAnalyzed: OnAnalyzed): Promise<LintResults> => {
      const analyzed = await analyzeMigrations(misses);
      // The first two told early (as lanes of a replay would), the third only returned.
      onAnalyzed(analyzed[1]!, undefined, 1);
      onAnalyzed(analyzed[0]!, undefined, 0);
      const written = () => (existsSync(join(cacheDir, 'results')) ? entries(cacheDir).length : 0);
      for (let wait = 0; wait < 200 && written() < 2; wait++) await new Promise((resolve) => setTimeout(resolve, 5));
      storedDuring.push(written());
      return { analyzed, history: new Map() };
    };
    const first = await lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir }, analyze);
    expect(storedDuring).toEqual([2]); // written behind the analysis, before it returned
    expect(entries(cacheDir)).toHaveLength(3);
    const again = await cachedLint(folder, cacheDir);
    expect(again.missed).toEqual([]);
    expect(again.json).toBe(formatReport(buildReport('lint', first.analyzed, { history: first.history }), 'json'));
  });

  it('goes on without the cache when its directory cannot be written, saying so once', async () => {
    const folder = project(FILES);
    const blocked = join(temporary('migcheck-results-cache-'), 'file');
    writeFileSync(blocked, 'not a directory');
    const problems: string[] = [];
    const analyze = async (misses: Migration[]): Promise<LintResults> => ({ analyzed: await analyzeMigrations(misses), history: new Map() });
    const result = await lintWithResultCache(discoverMigrations([folder]), { shadow: false }, { cacheDir: blocked, onProblem: (message) => problems.push(message) }, analyze);
    expect(result.analyzed).toHaveLength(3);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot write the result cache/);
  });
});

describe('the result cache with the prior schema', () => {
  it('gives the rollback script (and its verification queries, which read the prior schema) of an uncached run', { timeout: 120_000 }, async () => {
    // The example project without its column drop: a rollback script, whose type revert is verified against the prior schema.
    const shop = resolve(import.meta.dirname, '../../../../fixtures/shop/migrations');
    const folder = temporary('migcheck-results-shop-');
    for (const name of readdirSync(shop).filter((file) => !file.startsWith('000005'))) cpSync(join(shop, name), join(folder, name));
    const cacheDir = temporary('migcheck-results-shop-cache-');
    const { cached, uncached } = await cachedAndUncached([folder], { shadow: { url: inject('postgresUrl'), cacheDir } }, cacheDir);
    expect(uncached.rollback?.sql).toContain('ALTER TABLE public.users ALTER COLUMN age TYPE integer');
    expect(JSON.stringify(uncached.rollback)).toMatch(/"verification":\{"queries":\[\{/);
    expect(formatReport(cached, 'json')).toBe(formatReport(uncached, 'json'));
    expect(formatReport(cached, 'sql')).toBe(formatReport(uncached, 'sql'));
  });
});

const lemmy = resolve(import.meta.dirname, '../../../../../shared/corpora/lemmy');

/** A cached lint (filling the cache first), and an uncached one with the same settings: both reports. */
async function cachedAndUncached(paths: string[], options: Omit<LintOptions, 'resultCache'>, cacheDir: string) {
  await lint(paths, { ...options, resultCache: { cacheDir } });
  const uncached = await lint(paths, options);
  // Without its snapshots, a run that needed the shadow would replay the history again and store them anew.
  rmSync(join(cacheDir, 'snapshots'), { recursive: true, force: true });
  const cached = await lint(paths, { ...options, resultCache: { cacheDir } });
  expect(existsSync(join(cacheDir, 'snapshots'))).toBe(false);
  return { cached, uncached };
}

describe.skipIf(!existsSync(lemmy))('the result cache on the Lemmy corpus', () => {
  it('gives the report of an uncached run for the whole corpus', { timeout: 120_000 }, async () => {
    const cacheDir = temporary('migcheck-results-lemmy-');
    const { cached, uncached } = await cachedAndUncached([lemmy], { shadow: false }, cacheDir);
    expect(entries(cacheDir)).toHaveLength(342);
    expect(formatReport(cached, 'json')).toBe(formatReport(uncached, 'json'));
    expect(formatReport(cached, 'text', { color: false })).toBe(formatReport(uncached, 'text', { color: false }));
  });

  it('with the prior schema from the shadow, and a run that hits everything replays nothing', { timeout: 300_000 }, async () => {
    // The first 25 migrations (the replay of the whole history is bench/replay-lemmy.mjs's): many read the prior schema.
    const folder = temporary('migcheck-results-lemmy-head-');
    for (const name of readdirSync(lemmy).sort().slice(0, 25)) cpSync(join(lemmy, name), join(folder, name), { recursive: true });
    const cacheDir = temporary('migcheck-results-lemmy-cache-');
    const { cached, uncached } = await cachedAndUncached([folder], { shadow: { url: inject('postgresUrl'), cacheDir } }, cacheDir);
    expect(uncached.migrations.filter((migration) => migration.history && !migration.history.failure).length).toBeGreaterThan(7);
    expect(formatReport(cached, 'json')).toBe(formatReport(uncached, 'json'));
  });
});
