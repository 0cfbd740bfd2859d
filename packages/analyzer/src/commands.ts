/**
 * lint, plan and verify: the layers of evidence (DESIGN.md, "Architecture") put together.
 *  - static: the statements alone;
 *  - catalog: the schema before each migration, from the shadow database's replay of its history;
 *  - rehearsed (verify): the migration and its rollback applied in the shadow, the schemas compared.
 */
import type { ChangeKind } from './changes/types.js';
import { analyzeMigration, analyzeMigrations, type AnalyzedMigration } from './plan/analyze.js';
import type { RehearsalResult } from './rehearsal/rehearse.js';
import { buildReport, type Command, type HistoryNote } from './report/build.js';
import type { Report } from './report/schema.js';
import type { Shadow, ShadowOptions } from './shadow/index.js';
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

/** Static analysis, then the prior schema for the migrations whose verdicts it can improve. */
async function analyzeWithHistory(command: Command, paths: string[], options: AnalyzeOptions): Promise<Report> {
  const migrations = discoverMigrations(paths, options.cwd ? { cwd: options.cwd } : {});
  const analyzed = await analyzeMigrations(migrations);
  const notes = new Map<Migration, HistoryNote>();
  const needing = options.shadow === false ? [] : analyzed.filter(wantsPrior);
  if (needing.length > 0) {
    await withShadow(options, async (shadow) => {
      const priors = await shadow.priorSnapshots(needing.map((item) => item.migration));
      needing.forEach((item, index) => {
        const prior = priors[index]!;
        const replayed = historyOf(item.migration).length;
        if ('snapshot' in prior) {
          analyzed[analyzed.indexOf(item)] = analyzeMigration(item.migration, { prior: prior.snapshot });
          notes.set(item.migration, { replayed, cached: prior.cached });
        } else {
          const { failure } = prior;
          notes.set(item.migration, { replayed, failure: `${failure.path}:${failure.line}:${failure.column}: ${failure.message}` });
        }
      });
    });
  }
  return buildReport(command, analyzed, { history: notes });
}

/** Static analysis: verdicts and rollbacks from the statements, completed from the replayed history when there is one. */
export function lint(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  return analyzeWithHistory('lint', paths, options);
}

/** The rollback plan: lint's analysis with the full rollback script. */
export function plan(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  return analyzeWithHistory('plan', paths, options);
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
  await withShadow(options, async (shadow) => {
    for (const migration of migrations) {
      const result = await rehearseMigration(shadow, migration, (prior) => analyzeMigration(migration, { prior }));
      rehearsals.set(migration, result);
      analyzed.push('analysis' in result ? withRehearsalEvidence(result) : analyzeMigration(migration));
    }
  });
  return buildReport('verify', analyzed, { rehearsals });
}
