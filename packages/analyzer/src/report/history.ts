/**
 * A history that cannot be replayed completely (issue 9): replay gets as far as Postgres allows, and every
 * migration after the step that stopped it has an unknown prior schema. That is said with each of its verdicts,
 * in every format, with the reason, and with what would help (a --shadow-url server that has a missing extension).
 */
import type { Migration, MigrationDirectory } from '../source/discover.js';
import type { MigrationReport } from './schema.js';

export type HistoryNote = NonNullable<MigrationReport['history']>;
export type HistoryCause = NonNullable<HistoryNote['cause']>;

/** What stopped a replay, from the server's message (or the code step's). */
export function causeOf(failure: string): { cause: HistoryCause; hint?: string } {
  const extension = /extension "([^"]+)" is not available|could not open extension control file "[^"]*?([^/"]+)\.control"/.exec(failure);
  if (extension) {
    const name = extension[1] ?? extension[2] ?? '';
    return {
      cause: 'missing-extension',
      hint: `the shadow server has no extension ${name}: run with --shadow-url pointing at a PostgreSQL server that has it installed (for example one like production)`,
    };
  }
  if (/permission denied|must be (superuser|owner)|only superuser/i.test(failure)) {
    return {
      cause: 'permission',
      hint: 'the shadow replays migrations as an unprivileged sandbox role (migration files are untrusted), and it may not run this statement',
    };
  }
  if (/cannot be read or replayed by migcheck/.test(failure)) return { cause: 'code' };
  return { cause: 'failed' };
}

/** The note of the migrations after a code step migcheck cannot run (goose .go files): the first of its folder. */
function codeStepNote(directory: MigrationDirectory): { index: number; note: HistoryNote } | undefined {
  const index = directory.migrations.findIndex((migration) => migration.code);
  if (index < 0) return undefined;
  const step = directory.migrations[index]!;
  const language = step.code?.language === 'go' ? 'Go' : (step.code?.language ?? 'code');
  return {
    index,
    note: {
      replayed: index,
      failure: `${step.up.path}: a migration written in ${language} cannot be read or replayed by migcheck; the schema after it is unknown`,
      failedMigration: step.path,
      cause: 'code',
    },
  };
}

/**
 * Each migration's history note, completed: a failure found while replaying for one migration also leaves every
 * later migration of its folder (from the failing step on) with an unknown prior schema, replayed or not, and a
 * code step is known without replaying anything.
 */
export function completeHistory(migrations: readonly Migration[], notes: ReadonlyMap<Migration, HistoryNote> | undefined): Map<Migration, HistoryNote> {
  const completed = new Map<Migration, HistoryNote>();
  const stops = new Map<Migration['directory'], { index: number; note: HistoryNote }>();
  // Each folder's migrations by path, once: every later migration's note names the same failed one.
  const positions = new Map<MigrationDirectory, Map<string, number>>();
  const positionOf = (directory: MigrationDirectory, path: string | undefined): number | undefined => {
    let byPath = positions.get(directory);
    if (!byPath) {
      byPath = new Map();
      for (const [index, earlier] of directory.migrations.entries()) if (!byPath.has(earlier.path)) byPath.set(earlier.path, index);
      positions.set(directory, byPath);
    }
    return path === undefined ? undefined : byPath.get(path);
  };
  for (const [migration, note] of notes ?? []) {
    if (!note.failure || !migration.directory) continue;
    const index = positionOf(migration.directory, note.failedMigration) ?? migration.index - 1;
    const known = stops.get(migration.directory);
    if (!known || index < known.index) stops.set(migration.directory, { index, note });
  }
  // Once per folder: looking through each migration's own history would cost the square of a long folder's length.
  const codeSteps = new Map<MigrationDirectory, ReturnType<typeof codeStepNote>>();
  const codeStepBefore = (migration: Migration): HistoryNote | undefined => {
    const { directory } = migration;
    if (!directory) return undefined;
    if (!codeSteps.has(directory)) codeSteps.set(directory, codeStepNote(directory));
    const step = codeSteps.get(directory);
    return step && step.index < migration.index ? step.note : undefined;
  };
  for (const migration of migrations) {
    const own = notes?.get(migration);
    const stop = migration.directory ? stops.get(migration.directory) : undefined;
    const inherited = stop && migration.index > stop.index ? stop.note : undefined;
    const chosen = own ?? inherited ?? codeStepBefore(migration);
    if (!chosen) continue;
    completed.set(migration, chosen.failure && !chosen.cause ? { ...chosen, ...causeOf(chosen.failure) } : chosen);
  }
  return completed;
}

/** The sentence said next to every verdict of a migration whose prior schema is unknown. */
export function priorUnknownNote(history: HistoryNote): string {
  return `Prior schema unknown: the history could not be replayed (${history.failure}); this verdict rests on the statement alone${history.hint ? `; ${history.hint}` : ''}.`;
}
