/**
 * lint, plan and verify: the layers of evidence (DESIGN.md, "Architecture") put together.
 *  - static: the statements alone;
 *  - catalog: the schema before each migration, from the shadow database's replay of its history (or,
 *    for a migration not yet applied, the target database's own catalog);
 *  - data (plan --database-url): the target's live data answers each change's data check;
 *  - rehearsed (verify): the migration and its rollback applied in the shadow, the schemas compared.
 *
 * Each command runs the same stages, each a value the next one reads: discover → recognise (parse, changes,
 * directives, whether the migration's prior schema still applies to each change: plan/analyze.ts) → prior
 * schema → data checks → assess → report. They differ only in which stages run; each migration is parsed
 * and recognised once per command.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LintResults, OnAnalyzed, ResultCacheOptions } from './cache/result-cache.js';
import type { SchemaSnapshot } from './catalog/snapshot.js';
import type { MigrationState } from './changes/rule.js';
import { ruleById } from './changes/registry.js';
import { worstVerdict } from './changes/types.js';
import { assessMigration, isUnnamed, recogniseMigrations, statementsNeedingOwnPrior, withDataChecks, type AnalyzedMigration, type RecognisedMigration } from './plan/analyze.js';
import type { RehearsalResult } from './rehearsal/rehearse.js';
import { hasRollbackScript } from './plan/rollback-script.js';
import { buildReport, type Command, type HistoryNote } from './report/build.js';
import type { Report } from './report/schema.js';
import type { PriorResult, Shadow, ShadowOptions } from './shadow/index.js';
import { costOfReading, costOfReplay, DEFAULT_REPLAY_LANES, inLanes, lanesOf, MIGRATIONS_PER_LANE, reachOfReading } from './shadow/lanes.js';
import type { StateDecision } from './state/tracking.js';
import { discoverMigrations, historyOf, type Migration } from './source/discover.js';
import { loadParser, startLoadingParser } from './sql/parser.js';

export interface AnalyzeOptions {
  /** Directory that relative paths are resolved against and shown relative to (default: process.cwd()). */
  cwd?: string;
  /** The knexfile of knex migrations (default: a `knexfile.*` next to or above their folder). */
  knexfile?: string;
  /**
   * The shadow database that replays history for the prior schema: options for it, or `false` for
   * static analysis only. Default: an embedded PostgreSQL, started only when needed.
   */
  shadow?: ShadowOptions | false;
}

/** Whether the prior schema can improve a static verdict: a risky change whose rule reads it (a definition to restore, IF NOT EXISTS to settle). */
function wantsPrior(analyzed: AnalyzedMigration): boolean {
  if (!analyzed.migration.directory) return false; // a lone file has no history to replay
  return analyzed.changes.some(
    ({ change, assessment }) => assessment.verdict === 'risky' && assessment.evidence === 'static' && ruleById(change.rule)?.readsPrior === true,
  );
}

/** Stages 1 and 2: the migrations named by the paths, each parsed and recognised once. */
async function recognisePaths(paths: string[], options: AnalyzeOptions): Promise<RecognisedMigration[]> {
  return recogniseMigrations(discoverMigrations(paths, options));
}

async function withShadow<T>(options: AnalyzeOptions, work: (shadow: Shadow) => Promise<T>, { readsSnapshots = true }: { readsSnapshots?: boolean } = {}): Promise<T> {
  // Loaded on demand: the PostgreSQL client and server packages cost start-up time lint rarely needs.
  const { openShadow } = await import('./shadow/index.js');
  const shadow = await openShadow(options.shadow || {}, { readsSnapshots });
  try {
    return await work(shadow);
  } finally {
    await shadow.close();
  }
}

/** A migration's prior schema as its lane read it, with the schemas within it, as soon as they are read. */
type OnPrior = (migration: Migration, prior: SchemaSnapshot, withinMigration: Map<number, SchemaSnapshot> | undefined, history: HistoryNote, lane: number) => void;

/** The schema before each migration, from the shadow's replay of its history, and how it was obtained. */
async function replayHistory(
  options: AnalyzeOptions,
  migrations: Migration[],
  wantsAfter: ReadonlySet<Migration> = new Set(),
  wantsWithin: (migration: Migration, prior: SchemaSnapshot) => number[] = () => [],
  onPrior: OnPrior = () => {},
): Promise<{ priors: Map<Migration, SchemaSnapshot>; history: Map<Migration, HistoryNote>; afters: Map<Migration, SchemaSnapshot>; withins: Map<Migration, Map<number, SchemaSnapshot>> }> {
  const priors = new Map<Migration, SchemaSnapshot>();
  const history = new Map<Migration, HistoryNote>();
  const afters = new Map<Migration, SchemaSnapshot>();
  const withins = new Map<Migration, Map<number, SchemaSnapshot>>();
  if (migrations.length === 0 || options.shadow === false) return { priors, history, afters, withins };
  await withShadow(options, async (shadow) => {
    // The names Postgres chose show in the schema after the migration: that is the prior schema of the next
    // migration of its directory (one replay, cached like any prior), or for the last one, the migration applied in
    // a copy of its prior state (shadow/after.ts).
    const nextOf = new Map<Migration, Migration>();
    for (const migration of wantsAfter) {
      const next = migration.directory?.migrations[migration.index + 1];
      if (next) nextOf.set(migration, next);
    }
    // In history order, each target's statements within it right after its prior schema: a replay cursor only moves
    // forward (going back means replaying from the start). A long history in lanes, each on a cursor of its own.
    const requested = [...new Set([...migrations, ...nextOf.values()])].sort(inHistoryOrder);
    const answers = new Map<Migration, PriorResult>();
    const targets = new Set(migrations);
    const laneCount = Math.min(options.shadow ? (options.shadow.replayLanes ?? DEFAULT_REPLAY_LANES) : 1, Math.floor(requested.length / MIGRATIONS_PER_LANE));
    await inLanes(shadow, lanesOf(requested, laneCount, costOfReading, reachOfReading), async (laneShadow, lane, index) => {
      for (const migration of lane) {
        const answer = await laneShadow.priorSnapshot(migration);
        answers.set(migration, answer);
        if (!targets.has(migration) || !('snapshot' in answer)) continue;
        const statements = wantsWithin(migration, answer.snapshot);
        if (statements.length > 0) withins.set(migration, await laneShadow.snapshotsWithin(migration, statements));
        onPrior(migration, answer.snapshot, withins.get(migration), noteOf(migration, answer), index);
      }
    });
    const results = migrations.map((migration) => answers.get(migration)!);
    const priorOfNext = new Map([...nextOf.values()].map((next) => [next, answers.get(next)!]));
    for (const [index, migration] of migrations.entries()) {
      if (!wantsAfter.has(migration) || !('snapshot' in results[index]!)) continue;
      const next = nextOf.get(migration);
      const fromNext = next ? priorOfNext.get(next) : undefined;
      if (fromNext && 'snapshot' in fromNext) {
        afters.set(migration, fromNext.snapshot);
        continue;
      }
      if (next) continue; // the migration itself failed to apply: no names to read
      const { schemaAfter } = await import('./shadow/after.js');
      const after = await schemaAfter(shadow, migration);
      if (after) afters.set(migration, after);
    }
    migrations.forEach((migration, index) => {
      const result = results[index]!;
      if ('snapshot' in result) {
        priors.set(migration, result.snapshot);
        history.set(migration, noteOf(migration, result));
      } else {
        const { failure } = result;
        // The replay got as far as the failing step; report/history.ts carries it to every later migration.
        history.set(migration, { replayed: result.migration.index, failure: `${failure.path}:${failure.line}:${failure.column}: ${failure.message}`, failedMigration: result.migration.path });
      }
    });
  });
  return { priors, history, afters, withins };
}

/** How a prior schema read from the replay was obtained. */
function noteOf(migration: Migration, result: { cached: boolean }): HistoryNote {
  return { replayed: historyOf(migration).length, cached: result.cached };
}

/**
 * Per migration, given its prior schema, the statements whose verdict the schema within the migration, just before
 * them, can improve (plan/analyze.ts): each read costs a shadow copy and a catalog read, so only those.
 */
function statementsWithin(recognised: RecognisedMigration[]): (migration: Migration, prior: SchemaSnapshot) => number[] {
  const byMigration = new Map(recognised.map((item) => [item.migration, item]));
  return (migration, prior) => {
    const item = byMigration.get(migration);
    return item ? statementsNeedingOwnPrior(item, assessMigration(item, { prior })) : [];
  };
}

/** Directory by directory, each in its order. */
function inHistoryOrder(a: Migration, b: Migration): number {
  const byDirectory = (a.directory?.path ?? a.up.path).localeCompare(b.directory?.path ?? b.up.path);
  return byDirectory !== 0 ? byDirectory : a.index - b.index;
}

/** An unnamed index or constraint whose name only Postgres knows: the schema after the migration shows it. */
function wantsAfter(analyzed: AnalyzedMigration): boolean {
  return analyzed.changes.some(({ change, assessment }) => isUnnamed(change) && assessment.verdict === 'risky');
}

/**
 * The static verdicts, then the prior schema for the migrations whose verdicts it can improve, assessed again
 * from the same recognised changes.
 */
async function analyzeWithHistory(command: Command, paths: string[], options: AnalyzeOptions): Promise<Report> {
  const { analyzed, history } = await analyzeStages(discoverMigrations(paths, options), options);
  return buildReport(command, analyzed, { history });
}

/**
 * `onAnalyzed` is told each migration's final analysis as soon as it is known: one that needs no prior schema before
 * the replay, one that does as its lane reads it, one that needs the schema after it too once the replay is over.
 */
async function analyzeStages(migrations: Migration[], options: AnalyzeOptions, onAnalyzed: OnAnalyzed = () => {}): Promise<LintResults> {
  const recognised = await recogniseMigrations(migrations);
  const statics = recognised.map((item) => assessMigration(item));
  const needing = options.shadow === false ? [] : statics.filter(wantsPrior).map((analyzed) => analyzed.migration);
  const unnamed = new Set(statics.filter(wantsAfter).map((analyzed) => analyzed.migration));
  const needed = new Set(needing);
  for (const analyzed of statics) if (!needed.has(analyzed.migration)) onAnalyzed(analyzed, undefined, 0);
  const byMigration = new Map(recognised.map((item) => [item.migration, item]));
  const assessedInLane = new Map<Migration, AnalyzedMigration>();
  const onPrior: OnPrior = (migration, prior, withinMigration, history, lane) => {
    if (unnamed.has(migration)) return; // it waits for the schema after it
    const analyzed = assessMigration(byMigration.get(migration)!, { prior, ...(withinMigration ? { withinMigration } : {}) });
    assessedInLane.set(migration, analyzed);
    onAnalyzed(analyzed, history, lane);
  };
  const { priors, history, afters, withins } = await replayHistory(options, needing, unnamed, statementsWithin(recognised), onPrior);
  const analyzed = recognised.map((item, index) => {
    const assessed = assessedInLane.get(item.migration);
    if (assessed) return assessed;
    const prior = priors.get(item.migration);
    const after = afters.get(item.migration);
    const withinMigration = withins.get(item.migration);
    return prior ? assessMigration(item, { prior, ...(after ? { after } : {}), ...(withinMigration ? { withinMigration } : {}) }) : statics[index]!;
  });
  return { analyzed, history };
}

export interface LintOptions extends AnalyzeOptions {
  /** Reuse the results of unchanged migrations (cache/result-cache.ts); absent: every migration is analysed. */
  resultCache?: ResultCacheOptions;
}

/**
 * Up to this many files, lint loads the parser before it knows whether a rollback script is needed. In Lemmy, 83
 * of 342 migrations hold an irreversible change: one migration has a script three times in four, a history none.
 */
const PARSER_PREFETCH_MAX = 3;

/** Whether `paths` are at most PARSER_PREFETCH_MAX files (a pull request's migrations), not a directory (a history). */
function fewFiles(paths: readonly string[], cwd = process.cwd()): boolean {
  const isFile = (path: string) => {
    try {
      return statSync(resolve(cwd, path)).isFile();
    } catch {
      return false; // discovery says why it cannot be read
    }
  };
  return paths.length <= PARSER_PREFETCH_MAX && paths.every(isFile);
}

/** Static analysis: verdicts and rollbacks from the statements, completed from the replayed history when there is one. */
export async function lint(paths: string[], options: LintOptions = {}): Promise<Report> {
  if (!options.resultCache) return analyzeWithHistory('lint', paths, options);
  // The parser is loaded by the analysis of a miss; when every result comes from the cache, only a rollback script
  // needs it (its steps are parsed: plan/online/), and a forward-fix-only report loads none (sql/parser.ts). A pull
  // request's few migration files usually have a script: their parser compiles while the history is read and hashed.
  if (fewFiles(paths, options.cwd)) await startLoadingParser();
  const { lintWithResultCache } = await import('./cache/result-cache.js');
  const migrations = discoverMigrations(paths, options);
  const { analyzed, history } = await lintWithResultCache(migrations, options, options.resultCache, (misses, onAnalyzed) => analyzeStages(misses, options, onAnalyzed));
  if (hasRollbackScript(analyzed)) await loadParser();
  return buildReport('lint', analyzed, { history });
}

export interface TargetDatabase {
  /** The target database (production); opened read-only. */
  url: string;
  /** Whether the migrations are applied there: decided from tracking tables and the catalog by default. */
  state?: 'auto' | 'pending' | 'applied';
  /** Exact checks (full scans, bounded by exactTimeoutMs) instead of statistics, indexes and bounded queries. */
  exact?: boolean;
  probeTimeoutMs?: number;
  exactTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** How long connecting to the target may take (default 10 s); every query also has a client-side deadline. */
  connectTimeoutMs?: number;
}

export interface PlanOptions extends AnalyzeOptions {
  /** Check the live data that decides each rollback (DESIGN.md: probes on the target database). */
  database?: TargetDatabase;
  /** The seed's "Acceptable risk?": a policy, never a guess. Risky steps run as the plan only when true. */
  acceptRisk?: boolean;
}

/**
 * The rollback plan: lint's analysis with the full rollback script. With a target database, each
 * migration's state is decided, and the data checks of the seed's Part 4 run against the live data.
 */
export async function plan(paths: string[], options: PlanOptions = {}): Promise<Report> {
  const report = options.database ? await planAgainstDatabase(paths, options, options.database) : await analyzeWithHistory('plan', paths, options);
  return withAcceptance(report, options.acceptRisk === true);
}

function withAcceptance(report: Report, accepted: boolean): Report {
  const acceptance = report.verdict !== 'risky' ? 'not-needed' : accepted ? 'accepted' : 'needed';
  return { ...report, acceptance };
}

async function planAgainstDatabase(paths: string[], options: PlanOptions, database: TargetDatabase): Promise<Report> {
  const recognised = await recognisePaths(paths, options);
  const probesModule = await import('./probes/index.js');
  const { stateFromTracking } = await import('./state/tracking.js');
  const { noteUnreadSchema, readTargetCatalog, stateWithoutTracking } = await import('./state/target-catalog.js');
  const target = await probesModule.openTarget({
    url: database.url,
    ...(database.exact !== undefined ? { exact: database.exact } : {}),
    ...(database.probeTimeoutMs !== undefined ? { probeTimeoutMs: database.probeTimeoutMs } : {}),
    ...(database.exactTimeoutMs !== undefined ? { exactTimeoutMs: database.exactTimeoutMs } : {}),
    ...(database.lockTimeoutMs !== undefined ? { lockTimeoutMs: database.lockTimeoutMs } : {}),
    ...(database.connectTimeoutMs !== undefined ? { connectTimeoutMs: database.connectTimeoutMs } : {}),
  });
  try {
    // Either read may fail (a table locked by a stuck migration, a refusal): the plan goes on without it, saying why.
    const catalog = await readTargetCatalog(target);
    const current = catalog.snapshot ?? undefined;
    const probes = probesModule.bindProbes(target);
    const states = new Map<Migration, StateDecision>();
    recognised.forEach((item) => {
      const given = database.state && database.state !== 'auto' ? { state: database.state, how: `given: --state ${database.state}` } : undefined;
      const tracked = catalog.tracking ? stateFromTracking(item.migration, catalog.tracking) : undefined;
      const decided = given ?? tracked;
      states.set(item.migration, decided ? noteUnreadSchema(decided, catalog) : stateWithoutTracking(item, catalog));
    });

    // The schema before a migration: the target's own catalog for the first pending one (everything before
    // it is applied); the shadow's replay of the history otherwise.
    const firstNotApplied = recognised.find((item) => states.get(item.migration)?.state !== 'applied')?.migration;
    const targetIsPrior = current && firstNotApplied && states.get(firstNotApplied)?.state === 'pending' ? firstNotApplied : undefined;
    const replayed = recognised.filter((item) => item.migration.directory && item.migration !== targetIsPrior);
    const { priors, history, withins } = await replayHistory(options, replayed.map((item) => item.migration), new Set(), statementsWithin(replayed));
    if (targetIsPrior && current) priors.set(targetIsPrior, current);

    const planned: AnalyzedMigration[] = [];
    for (const item of recognised) {
      const decision = states.get(item.migration)!;
      const prior = priors.get(item.migration);
      // An undecided state is planned both ways; each change keeps the worse of the two verdicts.
      const assumed: MigrationState[] = decision.state === 'unknown' ? ['applied', 'pending'] : [decision.state];
      const versions: AnalyzedMigration[] = [];
      for (const state of assumed) {
        const withinMigration = withins.get(item.migration);
        const context = { state, ...(current ? { target: current } : {}), ...(prior ? { prior } : {}), ...(withinMigration ? { withinMigration } : {}) };
        versions.push(await withDataChecks(assessMigration(item, context), context, probes));
      }
      planned.push(versions.length === 1 ? versions[0]! : worseOfBoth(versions[0]!, versions[1]!));
    }
    // The size of each table a rollback step works on, for its lock line ("rewrites public.users, 2.3 GB, ~41M rows").
    const { readTableSizes } = await import('./state/table-sizes.js');
    const tables = new Map(planned.flatMap((item) => item.changes).flatMap(({ change, assessment }) => (assessment.rollback.length > 0 && change.target?.table ? [[`${change.target.table.schema}.${change.target.table.name}`, change.target.table] as const] : [])));
    const tableSizes = await readTableSizes(target, [...tables.values()]);
    return buildReport('plan', planned, { history, states, tableSizes });
  } finally {
    await target.close();
  }
}

/** Per change, the worse assessment of "if applied" and "if pending", saying which. */
function worseOfBoth(applied: AnalyzedMigration, pending: AnalyzedMigration): AnalyzedMigration {
  const changes = applied.changes.map((item, index) => {
    const other = pending.changes[index]!;
    const worse = worstVerdict([item.assessment.verdict, other.assessment.verdict]) === item.assessment.verdict ? { item, when: 'if applied' } : { item: other, when: 'if pending' };
    return { ...worse.item, assessment: { ...worse.item.assessment, reason: `State unknown; ${worse.when}: ${worse.item.assessment.reason}` } };
  });
  return { ...applied, changes, verdict: worstVerdict(changes.map((item) => item.assessment.verdict)) };
}

export interface VerifyOptions extends Omit<AnalyzeOptions, 'shadow'> {
  shadow?: ShadowOptions;
  /** Parts of the history rehearsed at once, each on a replay cursor of its own on the one shadow server (default: rehearsal/parallel.ts). */
  concurrency?: number;
}

/**
 * Rehearses every migration in the shadow database: applies it and migcheck's rollback (and the project's
 * own down migration) in the state before it, and compares the schemas. Evidence becomes `rehearsed`.
 */
export async function verify(paths: string[], options: VerifyOptions = {}): Promise<Report> {
  const recognised = await recognisePaths(paths, options);
  const { prepareRehearsal, runRehearsal } = await import('./rehearsal/rehearse.js');
  const { withRehearsalEvidence } = await import('./rehearsal/evidence.js');
  const { withVerificationClaims } = await import('./plan/verification/index.js');
  const { DEFAULT_REHEARSAL_CONCURRENCY, inOrderWithConcurrency, REHEARSALS_PER_LANE } = await import('./rehearsal/parallel.js');
  const rehearsals = new Map<Migration, RehearsalResult>();
  const analyzed = new Map<Migration, AnalyzedMigration>();
  const progress = throttled(options.shadow?.onProgress);
  let done = 0;
  const rehearseLane = (shadow: Shadow, lane: RecognisedMigration[]) =>
    inOrderWithConcurrency(
      lane,
      REHEARSALS_PER_LANE,
      // In history order: the lane's replay moves forward to each migration, and rehearses it there or copies its state.
      async (recognisedMigration) => {
        const { migration } = recognisedMigration;
        // Migrations written as code that could not be read: nothing to rehearse, its SQL is not known. Its analysis
        // says so (risky), and later migrations find their history unreplayable at this step.
        if (migration.code) return { recognisedMigration };
        return { recognisedMigration, prepared: await prepareRehearsal(shadow, migration, (prior) => assessMigration(recognisedMigration, { prior })) };
      },
      // A rehearsal in copies runs while the next one is prepared.
      async ({ recognisedMigration, prepared }): Promise<void> => {
        const { migration } = recognisedMigration;
        let result: RehearsalResult | undefined;
        if (prepared) result = 'historyFailure' in prepared ? prepared : await runRehearsal(shadow, prepared);
        progress(`rehearsed ${++done}/${recognised.length} (${migration.id})`);
        if (!result || 'historyFailure' in result) {
          if (result) rehearsals.set(migration, result);
          analyzed.set(migration, assessMigration(recognisedMigration));
          return;
        }
        // Settled now: its verification computed, its prior schema let go (a long history has hundreds of them).
        const analysis = withVerificationClaims(withRehearsalEvidence(result));
        rehearsals.set(migration, { ...result, analysis });
        analyzed.set(migration, analysis);
      },
    );
  // Each prior schema read where its rehearsal runs, not from the snapshot cache (which it fills for lint): the cursor
  // replays every migration anyway, and a cached snapshot is another replay's. A history with values fixed when it ran
  // ('now'::timestamp in a view) would differ from it where nothing was left undone, in the comparisons and in the
  // rollback built from it (a view recreated from its text). Decoding it cost more than reading it here, too.
  await withShadow(
    options,
    (shadow) => inLanes(shadow, lanesOf(recognised, options.concurrency ?? DEFAULT_REHEARSAL_CONCURRENCY, ({ migration }) => costOfReplay(migration)), rehearseLane),
    { readsSnapshots: false },
  );
  // The report lists the migrations and their rehearsals in history order, as they were before they ran in lanes.
  const ordered = new Map(recognised.flatMap(({ migration }) => (rehearsals.has(migration) ? [[migration, rehearsals.get(migration)!] as const] : [])));
  return buildReport('verify', recognised.map(({ migration }) => analyzed.get(migration)!), { rehearsals: ordered });
}

/** Progress at most every 2 s: a long verify says where it is without flooding the log. */
function throttled(report: ((message: string) => void) | undefined): (message: string) => void {
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (!report || now - last < 2000) return;
    last = now;
    report(message);
  };
}
