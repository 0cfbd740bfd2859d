/**
 * lint's result cache: `<cacheDir>/results/<key>.json`, the analysed result of one migration per file, so that an
 * unchanged migration costs a hash and a small read, not a parse, a classification and a prior schema.
 *
 *   base = sha256("migcheck-lint-result-v2", migcheck's build, the analysis settings that change results)
 *   h0   = base;  hk = sha256(h(k-1), identity of migration k of the directory)
 *   key  = sha256(h(index), "target", identity of the migration)          (a lone file: h0 for its history)
 *
 * The identity of a migration is its id, layout, paths as shown, transaction mode and up SQL, so editing,
 * adding or reordering an earlier migration changes the key of every later one. migcheck's build is its
 * VERSION and a hash of its own code (a development build changes without a new version). The settings are
 * whether the shadow runs and which server it is (its URL without the password); rule levels and --fail-on
 * only change the exit code, and are not part of it.
 *
 * Only lint uses it: plan reads the target database and verify rehearses, and neither is a function of the files.
 * An entry is validated, never trusted as it is: the directory may be shared (a CI cache), so an entry that is
 * not well formed, or was stored under another key, is a miss. Results whose prior schema could not be read (a
 * history that failed to replay) are not stored: the failure may be the server's, not the files'. The prior schema
 * a result was assessed with goes to `<cacheDir>/results/priors/<sha256 of its content>.jsonl`, in the snapshot
 * cache's file format (shadow/snapshot-file.ts: mostly the lines that differ from the prior schema stored before it),
 * read only if the report asks for it (the rollback script), so a run that hits every migration reads no snapshot
 * to decide.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANGE_KINDS, EVIDENCE, VERDICTS, worstVerdict, type Assessment, type Change, type RollbackStep } from '../changes/types.js';
import { InputError } from '../errors.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import type { AnalyzedChange, AnalyzedMigration } from '../plan/analyze.js';
import type { HistoryNote } from '../report/build.js';
import { defaultCacheDir, SnapshotCache } from '../shadow/cache.js';
import type { ShadowOptions } from '../shadow/types.js';
import { WriteBehind } from '../shadow/write-behind.js';
import type { Migration } from '../source/discover.js';
import { VERSION } from '../version.js';

/** v2: prior schemas in the snapshot cache's file format. */
const FORMAT = 'migcheck-lint-result-v2';

export interface ResultCacheOptions {
  /** Default: the snapshot cache's ($MIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/migcheck, else ~/.cache/migcheck). */
  cacheDir?: string;
  /** Told once if the cache cannot be written (the analysis goes on without it). */
  onProblem?: (message: string) => void;
}

/** The analysis settings that change lint's results. */
export interface ResultSettings {
  shadow?: ShadowOptions | false;
}

/** What lint's pass gives the report: each migration analysed, and how its prior schema was obtained. */
export interface LintResults {
  analyzed: AnalyzedMigration[];
  history: Map<Migration, HistoryNote>;
}

/**
 * A change as stored: its statement's text by its position in the entry's `texts` (a statement of several changes
 * is stored once), and the change it is undone by by its position in the migration.
 */
interface StoredChange {
  change: Omit<Change, 'statementText'>;
  text: number;
  assessment: Assessment;
  acknowledged?: AnalyzedChange['acknowledged'];
  undoneBy?: number;
  priorOutdated?: true;
}

interface StoredResult {
  format: typeof FORMAT;
  key: string;
  statements: number;
  verdict: AnalyzedMigration['verdict'];
  texts: string[];
  changes: StoredChange[];
  history?: HistoryNote;
  /**
   * The name of the prior schema the migration was assessed with, stored beside the entries in `priors/`: read
   * only if the report asks for it (the rollback's verification queries), never on the way to a verdict.
   */
  prior?: string;
}

/**
 * Told each migration's analysis as soon as it is final, with the lane of the replay that read its prior schema (0
 * when there is none, or the analysis was finished after the replay): lint's result cache stores it then, behind
 * the replay, rather than all of them after it.
 */
export type OnAnalyzed = (analyzed: AnalyzedMigration, history: HistoryNote | undefined, lane: number) => void;

/**
 * lint's results through the cache: the migrations whose entry is stored are read from it; the others (only
 * those) go through `analyze`, the normal pass, and are stored as `analyze` finishes each. The order of
 * `migrations` is kept.
 */
export async function lintWithResultCache(
  migrations: Migration[],
  settings: ResultSettings,
  options: ResultCacheOptions,
  analyze: (misses: Migration[], onAnalyzed: OnAnalyzed) => Promise<LintResults>,
): Promise<LintResults> {
  const cache = new ResultCache(options.cacheDir ?? defaultCacheDir(), options.onProblem);
  const keys = resultKeys(migrations, settings);
  const hits = new Map<Migration, { analyzed: AnalyzedMigration; history?: HistoryNote }>();
  for (const migration of migrations) {
    const entry = cache.read(keys.get(migration));
    const result = entry ? restore(entry, migration, cache) : undefined;
    if (result) hits.set(migration, result);
  }
  const misses = migrations.filter((migration) => !hits.has(migration));
  const stored = new Set<AnalyzedMigration>();
  const store: OnAnalyzed = (analyzed, history, lane) => {
    stored.add(analyzed);
    const key = keys.get(analyzed.migration);
    if (key && storable(analyzed, history)) cache.write(key, toStored(key, analyzed, history), analyzed.prior, lane);
  };
  const fresh = misses.length > 0 ? await analyze(misses, store) : { analyzed: [], history: new Map<Migration, HistoryNote>() };
  // What `analyze` finished only at its end (a migration that needed the schema after it).
  for (const analyzed of fresh.analyzed) if (!stored.has(analyzed)) store(analyzed, fresh.history.get(analyzed.migration), 0);
  await cache.settled();
  const freshByMigration = new Map(fresh.analyzed.map((analyzed) => [analyzed.migration, analyzed]));
  const history = new Map(fresh.history);
  const analyzed = migrations.map((migration) => {
    const hit = hits.get(migration);
    if (!hit) return freshByMigration.get(migration)!;
    if (hit.history) history.set(migration, hit.history);
    return hit.analyzed;
  });
  return { analyzed, history };
}

/** Each migration's key (none where a file of its history cannot be read: the normal pass says why). */
export function resultKeys(migrations: readonly Migration[], settings: ResultSettings): Map<Migration, string> {
  const keys = new Map<Migration, string>();
  const build = buildIdentity();
  if (build === undefined) return keys; // migcheck's own code unreadable: which build made an entry is unknown
  const base = sha256([FORMAT, build, settingsIdentity(settings)]);
  const chains = new Map<Migration['directory'], string[]>();
  for (const migration of migrations) {
    try {
      const before = migration.directory ? chainBefore(migration, chains, base) : base;
      keys.set(migration, sha256([before, 'target', ...identity(migration)]));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  return keys;
}

/** The hash of the history before a migration of a directory, extending the directory's chain as far as needed. */
function chainBefore(migration: Migration, chains: Map<Migration['directory'], string[]>, base: string): string {
  const directory = migration.directory!;
  const chain = chains.get(directory) ?? [base];
  chains.set(directory, chain);
  while (chain.length <= migration.index) {
    const earlier = directory.migrations[chain.length - 1]!;
    chain.push(sha256([chain.at(-1)!, ...identity(earlier)]));
  }
  return chain[migration.index]!;
}

/** What of a migration its analysis (and a later migration's replayed history) reads. */
function identity(migration: Migration): string[] {
  return [
    migration.id,
    migration.layout,
    migration.path,
    migration.up.path,
    String(migration.transaction),
    migration.code ? JSON.stringify(migration.code) : '',
    migration.capture ? JSON.stringify(migration.capture) : '',
    migration.up.text,
  ];
}

/** Whether the shadow runs, and on which server: a URL without its password (which must not reach a file name). */
function settingsIdentity(settings: ResultSettings): string {
  const { shadow } = settings;
  if (shadow === false) return 'shadow:off';
  if (!shadow?.url) return 'shadow:embedded';
  try {
    const url = new URL(shadow.url);
    url.password = '';
    return `shadow:${url.href}`;
  } catch {
    // A keyword/value connection string: drop its password setting, quoted or not.
    return `shadow:${shadow.url.replace(/password\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/gi, '')}`;
  }
}

let build: { identity: string | undefined } | undefined;

/** Beside the bundled CLI's chunks (packages/cli/bundle.mjs): the sha256 of all of them, written by the build. */
const BUNDLE_IDENTITY_FILE = 'build-identity.txt';

/**
 * migcheck's VERSION and a hash of the analyzer's own code (the files of this build, found from this module):
 * a development build changes its results without a new version, and must not be answered from an older one.
 * The bundled CLI's build wrote that hash beside it; elsewhere (the tsc output, the sources under test) the files
 * are hashed here. Undefined when that code cannot be read: then no entry is read or stored.
 */
function buildIdentity(): string | undefined {
  if (build) return build.identity;
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = bundleIdentity(here);
  if (bundled) return (build = { identity: `${VERSION}\0bundle\0${bundled}` }).identity;
  const root = join(here, '..');
  const hash = createHash('sha256');
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(js|ts)$/.test(entry.name) && !/\.d\.ts$|\.test\.[jt]s$/.test(entry.name)) hash.update(path.slice(root.length)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  try {
    visit(root);
    build = { identity: `${VERSION}\0${hash.digest('hex')}` };
  } catch {
    build = { identity: undefined };
  }
  return build.identity;
}

/** The hash the bundle's build wrote beside this module, if it did (64 hex digits, nothing else). */
function bundleIdentity(folder: string): string | undefined {
  try {
    const text = readFileSync(join(folder, BUNDLE_IDENTITY_FILE), 'utf8');
    return /^[0-9a-f]{64}\n$/.test(text) ? text.trimEnd() : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of an analysed migration, and of its changes, that an entry stores: with any other, it is not stored. */
const STORED_MIGRATION_FIELDS = new Set(['migration', 'statements', 'changes', 'verdict', 'prior']);
const STORED_CHANGE_FIELDS = new Set(['change', 'assessment', 'acknowledged', 'undoneBy', 'priorOutdated']);

/**
 * Whether an entry can stand for the result: not a code migration; not a history note that says the prior schema
 * is unknown (the server's answer as much as the files'); and nothing in it the entry would drop.
 */
function storable(analyzed: AnalyzedMigration, history: HistoryNote | undefined): boolean {
  if (analyzed.migration.code || history?.failure) return false;
  const known = (value: object, fields: ReadonlySet<string>) => Object.entries(value).every(([name, field]) => field === undefined || fields.has(name));
  return known(analyzed, STORED_MIGRATION_FIELDS) && analyzed.changes.every((item) => known(item, STORED_CHANGE_FIELDS));
}

function toStored(key: string, analyzed: AnalyzedMigration, history: HistoryNote | undefined): StoredResult {
  const texts: string[] = [];
  const changes = analyzed.changes.map(({ change, assessment, acknowledged, undoneBy, priorOutdated }): StoredChange => {
    const undoer = undoneBy ? analyzed.changes.findIndex((other) => other.change === undoneBy) : -1;
    const { statementText, ...rest } = change;
    if (texts.at(-1) !== statementText) texts.push(statementText);
    return { change: rest, text: texts.length - 1, assessment, ...(acknowledged ? { acknowledged } : {}), ...(undoer >= 0 ? { undoneBy: undoer } : {}), ...(priorOutdated ? { priorOutdated } : {}) };
  });
  return { format: FORMAT, key, statements: analyzed.statements, verdict: analyzed.verdict, texts, changes, ...(history ? { history } : {}) };
}

/** The stored result as the migration's analysis, or undefined when the entry is not one (foreign, corrupt, forged shape). */
function restore(stored: StoredResult, migration: Migration, cache: ResultCache): { analyzed: AnalyzedMigration; history?: HistoryNote } | undefined {
  // The parsed entry is this run's own: its change objects are completed in place rather than copied.
  const changes = stored.changes.map((item): AnalyzedChange => ({
    change: Object.assign(item.change, { statementText: stored.texts[item.text]! }) as Change,
    assessment: item.assessment,
    ...(item.acknowledged ? { acknowledged: item.acknowledged } : {}),
    ...(item.priorOutdated ? { priorOutdated: true as const } : {}),
  }));
  stored.changes.forEach((item, index) => {
    if (item.undoneBy !== undefined) changes[index]!.undoneBy = changes[item.undoneBy]!.change;
  });
  // A verdict is never taken on the entry's word: it is the worst of its changes' verdicts.
  if (worstVerdict(changes.map((item) => item.assessment.verdict)) !== stored.verdict) return undefined;
  // Served from the cache now: the prior schema was not replayed in this run.
  const history = stored.history ? { ...stored.history, cached: true } : undefined;
  const analyzed: AnalyzedMigration = { migration, statements: stored.statements, changes, verdict: stored.verdict };
  if (stored.prior) {
    const hash = stored.prior;
    let prior: { snapshot: SchemaSnapshot | undefined } | undefined;
    // Read on first use: a missing or altered file is an unknown prior schema (no verification query relies on it).
    Object.defineProperty(analyzed, 'prior', {
      enumerable: true,
      configurable: true,
      get: () => (prior ??= { snapshot: cache.readPrior(hash) }).snapshot,
    });
  }
  return { analyzed, ...(history ? { history } : {}) };
}

class ResultCache {
  private readonly directory: string;
  /** The prior schemas, by the sha256 of their content: one cache per lane, each prior a delta on its lane's last. */
  private readonly priors: SnapshotCache;
  private readonly priorsOfLanes = new Map<number, SnapshotCache>();
  private writeProblemReported = false;
  /**
   * Written behind the replay, one at a time: each entry is a file or two (a directory check, a write, a rename),
   * ~1 ms each on a slow disk; written after the replay instead, Lemmy's 342 entries added 0.5–0.8 s to a cold lint.
   * Four at once held more texts (+5–10 MiB at the peak) and were no faster: the replay makes them slower than that.
   */
  private readonly writes = new WriteBehind(1);

  constructor(
    cacheDir: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.directory = join(cacheDir, 'results');
    // Its failures are this cache's: write() says them once.
    this.priors = new SnapshotCache(this.directory, () => {}, 'priors');
  }

  /** The entry stored for `key`, or undefined: absent, unreadable, not well formed, or stored under another key. */
  read(key: string | undefined): StoredResult | undefined {
    if (!key) return undefined;
    let text: string;
    try {
      // Synchronous: thousands of small files read one after the other cost less than as many concurrent promises.
      text = readFileSync(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return isStoredResult(parsed, key) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** The prior schema stored under `name`, or undefined (absent, or not a whole snapshot file). */
  readPrior(name: string): SchemaSnapshot | undefined {
    return this.priors.readNow(name);
  }

  /**
   * Stores atomically (temp file + rename): a concurrent reader sees the whole entry or none. Encoded now (the prior
   * schema a delta on the one its lane encoded before), written behind, the prior first.
   */
  write(key: string, result: StoredResult, prior: SchemaSnapshot | undefined, lane: number): void {
    let entry: { text: string; writePrior?: () => Promise<void> };
    try {
      const stored = prior ? this.priorsOfLane(lane).encodeToStore(prior) : undefined;
      entry = { text: asciiJson(stored ? { ...result, prior: stored.name } : result), ...(stored ? { writePrior: stored.write } : {}) };
    } catch (error) {
      return this.writeProblem(error);
    }
    void this.writes.start(async () => {
      try {
        await entry.writePrior?.();
        await mkdir(this.directory, { recursive: true });
        await this.writeAtomically(this.fileOf(key), entry.text);
      } catch (error) {
        this.writeProblem(error);
      }
    });
  }

  /** Once every entry started is written (or failed, and said so). */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  private priorsOfLane(lane: number): SnapshotCache {
    let priors = this.priorsOfLanes.get(lane);
    if (!priors) {
      priors = lane === 0 ? this.priors : this.priors.lane();
      this.priorsOfLanes.set(lane, priors);
    }
    return priors;
  }

  /** Said once: the analysis goes on without the cache. */
  private writeProblem(error: unknown): void {
    if (this.writeProblemReported) return;
    this.writeProblemReported = true;
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    this.onProblem(`cannot write the result cache in ${this.directory} (${reason}); continuing without it`);
  }

  private async writeAtomically(target: string, text: string): Promise<void> {
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, text);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  }

  private fileOf(key: string): string {
    return join(this.directory, `${key}.json`);
  }
}

/**
 * JSON with every character beyond ASCII escaped (`\u2026`): the same value, but its text reads back as a one-byte
 * string, where one such character (the `…` of many options) would make V8 hold the whole entry at two bytes a
 * character. A warm run over thousands of entries reads each once: half the memory to collect.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x00-\x7f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** NUL-separated, so that no two different lists of parts hash alike. */
function sha256(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

// Validation of an entry read from disk: every field the report and the rollback script read, with its type.

type Check = (value: unknown) => boolean;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString: Check = (value) => typeof value === 'string';
const isCount: Check = (value) => Number.isInteger(value) && (value as number) >= 0;
const oneOf =
  (values: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && values.includes(value);
const arrayOf =
  (item: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(item);
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);
const shaped = (fields: Record<string, Check>): Check => {
  const checks = Object.entries(fields); // once, not once per value checked: thousands of entries are checked per run
  return (value) => isRecord(value) && checks.every(([name, check]) => check(value[name]));
};

const isName = shaped({ schema: isString, name: isString });
const isStep: Check = shaped({ sql: isString, timing: oneOf(['before-app', 'after-app', 'any'] satisfies RollbackStep['timing'][]), transactional: (value) => typeof value === 'boolean' });
const isChange: Check = shaped({
  kind: oneOf(CHANGE_KINDS),
  rule: isString,
  object: isString,
  position: shaped({ line: isCount, column: isCount }),
  statementIndex: isCount,
  target: optional(shaped({ table: optional(isName), columns: optional(arrayOf(isString)) })),
  locationByte: optional(isCount),
  unresolved: optional(isString),
  sideEffects: optional(arrayOf(isString)),
  referencedWithActions: optional(arrayOf(isName)),
});
const isAssessment: Check = shaped({
  verdict: oneOf(VERDICTS),
  reason: isString,
  evidence: oneOf(EVIDENCE),
  rollback: arrayOf(isStep),
  options: optional(arrayOf(isString)),
  notes: optional(arrayOf(isString)),
  incomplete: optional(isString),
});
const isStoredChange: Check = shaped({
  change: isChange,
  text: isCount,
  assessment: isAssessment,
  acknowledged: optional(shaped({ rules: arrayOf(isString), reason: isString, line: isCount })),
  undoneBy: optional(isCount),
  priorOutdated: optional((value) => value === true),
});
// Stored only without a failure: a note that carries one is not an entry of this cache.
const isHistory: Check = (value) => shaped({ replayed: isCount, cached: optional((flag) => typeof flag === 'boolean') })(value) && Object.keys(value as object).every((name) => name === 'replayed' || name === 'cached');

function isStoredResult(value: unknown, key: string): value is StoredResult {
  if (!isRecord(value) || value.format !== FORMAT || value.key !== key) return false;
  if (value.prior !== undefined && !(typeof value.prior === 'string' && /^[0-9a-f]{64}$/.test(value.prior))) return false;
  if (!isCount(value.statements) || !oneOf(VERDICTS)(value.verdict) || !arrayOf(isString)(value.texts) || !arrayOf(isStoredChange)(value.changes) || !optional(isHistory)(value.history)) return false;
  const changes = value.changes as StoredChange[];
  const texts = value.texts as string[];
  return changes.every((item, index) => item.text < texts.length && (item.undoneBy === undefined || (item.undoneBy < changes.length && item.undoneBy !== index)));
}
