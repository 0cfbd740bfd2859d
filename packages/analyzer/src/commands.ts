/**
 * lint, plan and verify: the layers of evidence (DESIGN.md, "Architecture") put together.
 *  - static: the statements alone;
 *  - catalog: the schema before each migration, from the shadow database's replay of its history (or,
 *    for a migration not yet applied, the target database's own catalog);
 *  - data (plan --database-url): the target's live data answers each change's data check;
 *  - rehearsed (verify): the migration and its rollback applied in the shadow, the schemas compared.
 */
import type { SchemaSnapshot } from './catalog/snapshot.js';
import type { DataProbes, MigrationState } from './changes/rule.js';
import { worstVerdict, type ChangeKind } from './changes/types.js';
import { analyzeMigration, analyzeMigrations, withDataChecks, type AnalyzedMigration } from './plan/analyze.js';
import type { RehearsalResult } from './rehearsal/rehearse.js';
import { buildReport, type Command, type HistoryNote } from './report/build.js';
import type { Report } from './report/schema.js';
import type { Shadow, ShadowOptions } from './shadow/index.js';
import type { StateDecision } from './state/tracking.js';
import { discoverMigrations, historyOf, type Migration } from './source/discover.js';
import { loadParser } from './source/parse.js';

export interface AnalyzeOptions {
  /** Directory that relative paths are resolved against and shown relative to (default: process.cwd()). */
  cwd?: string;
  /**
   * The shadow database that replays history for the prior schema: options for it, or `false` for
   * static analysis only. Default: an embedded PostgreSQL, started only when needed.
   */
  shadow?: ShadowOptions | false;
}

/** Kinds whose verdict can improve with the prior schema (a definition to restore, IF NOT EXISTS to settle). */
const PRIOR_HELPS: ReadonlySet<ChangeKind> = new Set([
  'alter_column_type', 'set_default', 'drop_default', 'drop_index', 'drop_constraint', 'drop_object', 'replace_object',
  'add_constraint', 'alter_object', 'add_column', 'add_table', 'add_index', 'create_object',
]);

function wantsPrior(analyzed: AnalyzedMigration): boolean {
  if (!analyzed.migration.directory) return false; // a lone file has no history to replay
  return analyzed.changes.some(
    ({ change, assessment }) => assessment.verdict === 'risky' && assessment.evidence === 'static' && PRIOR_HELPS.has(change.kind),
  );
}

async function withShadow<T>(options: AnalyzeOptions, work: (shadow: Shadow) => Promise<T>): Promise<T> {
  // Loaded on demand: the PostgreSQL client and server packages cost start-up time lint rarely needs.
  const { openShadow } = await import('./shadow/index.js');
  const shadow = await openShadow(options.shadow || {});
  try {
    return await work(shadow);
  } finally {
    await shadow.close();
  }
}

/** The schema before each migration, from the shadow's replay of its history, and how it was obtained. */
async function replayHistory(options: AnalyzeOptions, migrations: Migration[]): Promise<{ priors: Map<Migration, SchemaSnapshot>; history: Map<Migration, HistoryNote> }> {
  const priors = new Map<Migration, SchemaSnapshot>();
  const history = new Map<Migration, HistoryNote>();
  if (migrations.length === 0 || options.shadow === false) return { priors, history };
  await withShadow(options, async (shadow) => {
    const results = await shadow.priorSnapshots(migrations);
    migrations.forEach((migration, index) => {
      const result = results[index]!;
      const replayed = historyOf(migration).length;
      if ('snapshot' in result) {
        priors.set(migration, result.snapshot);
        history.set(migration, { replayed, cached: result.cached });
      } else {
        const { failure } = result;
        history.set(migration, { replayed, failure: `${failure.path}:${failure.line}:${failure.column}: ${failure.message}` });
      }
    });
  });
  return { priors, history };
}

/** Static analysis, then the prior schema for the migrations whose verdicts it can improve. */
async function analyzeWithHistory(command: Command, paths: string[], options: AnalyzeOptions): Promise<Report> {
  const migrations = discoverMigrations(paths, options.cwd ? { cwd: options.cwd } : {});
  const analyzed = await analyzeMigrations(migrations);
  const needing = options.shadow === false ? [] : analyzed.filter(wantsPrior);
  const { priors, history } = await replayHistory(options, needing.map((item) => item.migration));
  for (const item of needing) {
    const prior = priors.get(item.migration);
    if (prior) analyzed[analyzed.indexOf(item)] = analyzeMigration(item.migration, { prior });
  }
  return buildReport(command, analyzed, { history });
}

/** Static analysis: verdicts and rollbacks from the statements, completed from the replayed history when there is one. */
export function lint(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  return analyzeWithHistory('lint', paths, options);
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
  const migrations = discoverMigrations(paths, options.cwd ? { cwd: options.cwd } : {});
  const staticAnalysis = await analyzeMigrations(migrations);
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
    const probes = bindProbes(probesModule, target);
    const states = new Map<Migration, StateDecision>();
    staticAnalysis.forEach((analyzed) => {
      const given = database.state && database.state !== 'auto' ? { state: database.state, how: `given: --state ${database.state}` } : undefined;
      const tracked = catalog.tracking ? stateFromTracking(analyzed.migration, catalog.tracking) : undefined;
      const decided = given ?? tracked;
      states.set(analyzed.migration, decided ? noteUnreadSchema(decided, catalog) : stateWithoutTracking(analyzed, catalog));
    });

    // The schema before a migration: the target's own catalog for the first pending one (everything before
    // it is applied); the shadow's replay of the history otherwise.
    const firstNotApplied = staticAnalysis.find((analyzed) => states.get(analyzed.migration)?.state !== 'applied')?.migration;
    const targetIsPrior = current && firstNotApplied && states.get(firstNotApplied)?.state === 'pending' ? firstNotApplied : undefined;
    const replayed = staticAnalysis.filter((analyzed) => analyzed.migration.directory && analyzed.migration !== targetIsPrior);
    const { priors, history } = await replayHistory(options, replayed.map((analyzed) => analyzed.migration));
    if (targetIsPrior && current) priors.set(targetIsPrior, current);

    const planned: AnalyzedMigration[] = [];
    for (const analyzed of staticAnalysis) {
      const decision = states.get(analyzed.migration)!;
      const prior = priors.get(analyzed.migration);
      // An undecided state is planned both ways; each change keeps the worse of the two verdicts.
      const assumed: MigrationState[] = decision.state === 'unknown' ? ['applied', 'pending'] : [decision.state];
      const versions: AnalyzedMigration[] = [];
      for (const state of assumed) {
        const context = { state, ...(current ? { target: current } : {}), ...(prior ? { prior } : {}) };
        versions.push(await withDataChecks(analyzeMigration(analyzed.migration, context), context, probes));
      }
      planned.push(versions.length === 1 ? versions[0]! : worseOfBoth(versions[0]!, versions[1]!));
    }
    return buildReport('plan', planned, { history, states });
  } finally {
    await target.close();
  }
}

function bindProbes(module: typeof import('./probes/index.js'), target: import('./probes/index.js').Target): DataProbes {
  return {
    columnHoldsData: (table, column) => module.columnHoldsData(target, table, column),
    tableHoldsRows: (table) => module.tableHoldsRows(target, table),
    valuesFitType: (table, column, type) => module.valuesFitType(target, table, column, type),
    nullsPresent: (table, column) => module.nullsPresent(target, table, column),
    duplicatesPresent: (table, columns) => module.duplicatesPresent(target, table, columns),
    orphansPresent: (table, columns, referenced, referencedColumns) => module.orphansPresent(target, table, columns, referenced, referencedColumns),
    checkViolated: (table, definition) => module.checkViolated(target, table, definition),
    enumValueInUse: (type, value) => module.enumValueInUse(target, type, value),
  };
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

/**
 * Rehearses every migration in the shadow database: applies it and migcheck's rollback (and the project's
 * own down migration) in the state before it, and compares the schemas. Evidence becomes `rehearsed`.
 */
export async function verify(paths: string[], options: Omit<AnalyzeOptions, 'shadow'> & { shadow?: ShadowOptions } = {}): Promise<Report> {
  const migrations = discoverMigrations(paths, options.cwd ? { cwd: options.cwd } : {});
  await loadParser();
  const { rehearseMigration } = await import('./rehearsal/rehearse.js');
  const { withRehearsalEvidence } = await import('./rehearsal/evidence.js');
  const rehearsals = new Map<Migration, RehearsalResult>();
  const analyzed: AnalyzedMigration[] = [];
  const progress = throttled(options.shadow?.onProgress);
  await withShadow(options, async (shadow) => {
    for (const [index, migration] of migrations.entries()) {
      progress(`rehearsing ${index + 1}/${migrations.length} (${migration.id})`);
      if (migration.code) {
        // Nothing to rehearse: its SQL is not known. Its analysis says so (risky), and later migrations find
        // their history unreplayable at this step.
        analyzed.push(analyzeMigration(migration));
        continue;
      }
      const result = await rehearseMigration(shadow, migration, (prior) => analyzeMigration(migration, { prior }));
      rehearsals.set(migration, result);
      analyzed.push('analysis' in result ? withRehearsalEvidence(result) : analyzeMigration(migration));
    }
  });
  return buildReport('verify', analyzed, { rehearsals });
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
