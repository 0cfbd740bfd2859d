/**
 * Rehearsal: the strongest evidence. In the shadow database, in the state before a migration:
 *  1. apply the migration, then migcheck's rollback, and compare the schema with the one before;
 *  2. apply the migration, seed rows the new application could write, run the rollback again: a step
 *     that only works on empty tables fails here;
 *  3. seed rows into every table that existed before, checksum them, apply the migration and the rollback, and
 *     compare the data: what the rollback does not restore (a hidden UPDATE, a trigger's side effect) shows;
 *  4. the same as 2 with the project's own down migration, if it has one, and say what data it destroys.
 * When every statement can run in a transaction block, all stages run in one transaction under
 * savepoints on the replay cursor itself, rolled back after; otherwise each runs in a fresh copy of the prior state.
 * Stage 3 is left out when no verdict can depend on it (dataCanMatter).
 */
import type pg from 'pg';
import { diffSnapshots } from '../catalog/diff.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { analyzeMigration, type AnalyzedMigration } from '../plan/analyze.js';
import { rollbackSteps } from '../plan/rollback-script.js';
import { applySql, type ApplyFailure, type Shadow, type ShadowDatabase } from '../shadow/index.js';
import type { Migration, SqlSource } from '../source/discover.js';
import { sourceSpans } from '../source/parse.js';
import { checksumData, differingData, seedExistingTables, type DataComparison } from './data.js';
import { withRehearsalEvidence } from './evidence.js';
import { seedRows, type SeedTarget } from './seed.js';
import type { MigrationRehearsal, RehearsalFailure, RehearsalOutcome, RehearsalResult } from './types.js';

export type { MigrationRehearsal, RehearsalFailure, RehearsalOutcome, RehearsalResult } from './types.js';

/**
 * A rehearsal in copies of the state before the migration, ready to run: the schema before it, the migration assessed
 * against it, and its databases (one per stage). Preparing needs the replay cursor (one at a time, in history order);
 * running needs only its own databases, so these rehearsals run in parallel (./parallel.ts).
 */
export interface RehearsalInCopies {
  migration: Migration;
  before: SchemaSnapshot;
  analysis: AnalyzedMigration;
  databases: ShadowDatabase[];
}

/** Prepared: to run in copies; or already rehearsed in place, on the replay cursor, in a rolled-back transaction. */
export type PreparedRehearsal = RehearsalInCopies | { rehearsed: MigrationRehearsal };

/**
 * Rehearses one migration. `analyze` assesses it against the schema before it: the replay's snapshot of that state,
 * which the rehearsal runs in. verify's shadow reads it there, not from the snapshot cache (see commands.ts).
 */
export async function rehearseMigration(
  shadow: Shadow,
  migration: Migration,
  analyze: (prior: SchemaSnapshot) => AnalyzedMigration,
): Promise<RehearsalResult> {
  const prepared = await prepareRehearsal(shadow, migration, analyze);
  return 'historyFailure' in prepared ? prepared : runRehearsal(shadow, prepared);
}

/**
 * When every statement of the files and of migcheck's rollback can run in a transaction block, the whole rehearsal
 * runs here, on the replay cursor itself: in one transaction rolled back after it, each stage under a savepoint.
 * No copy of the database is made (a copy cost more than the rest of a rehearsal), and the replay goes on from the
 * cursor afterwards. Otherwise the copies, one per stage, are made here, and the stages run in runRehearsal.
 */
export async function prepareRehearsal(
  shadow: Shadow,
  migration: Migration,
  analyze: (prior: SchemaSnapshot) => AnalyzedMigration,
): Promise<PreparedRehearsal | { historyFailure: ApplyFailure }> {
  const prior = await shadow.priorSnapshot(migration);
  if ('failure' in prior) return { historyFailure: prior.failure };
  const before = prior.snapshot;
  const analysis = analyze(before);
  const transactional =
    isTransactional(migration.up) &&
    (!migration.down || isTransactional(migration.down)) &&
    rollbackSteps([analysis]).every((placed) => placed.step.transactional);
  if (transactional) {
    const inPlace = await shadow.inTransactionBefore(migration, (client) => {
      const inSavepoint: Isolated = async (work) => {
        await client.query('SAVEPOINT migcheck_rehearsal');
        try {
          return await work(client);
        } finally {
          await client.query('ROLLBACK TO SAVEPOINT migcheck_rehearsal');
        }
      };
      return rehearseStages(shadow, 'transaction', migration, before, analysis, inSavepoint);
    });
    return 'failure' in inPlace ? { historyFailure: inPlace.failure } : { rehearsed: inPlace.value };
  }
  const databases = await shadow.databasesBefore(migration, STAGES_IN_COPIES + (migration.down ? 1 : 0));
  if ('failure' in databases) return { historyFailure: databases.failure };
  return { migration, before, analysis, databases };
}

/** rollback, seeded and data; the down migration's stage comes on top when there is one. */
const STAGES_IN_COPIES = 3;

/** Runs the stages of a rehearsal in copies, each in one; the databases are released (dropped) at the end, whatever happens. */
export async function runRehearsal(shadow: Shadow, prepared: PreparedRehearsal): Promise<MigrationRehearsal> {
  if ('rehearsed' in prepared) return prepared.rehearsed;
  const { migration, before, analysis, databases } = prepared;
  try {
    const unused = [...databases];
    const inCopy: Isolated = async (work) => {
      const copy = unused.shift();
      if (!copy) throw new Error('a rehearsal stage found no database of its own'); // counted in prepareRehearsal
      try {
        return await work(copy.client);
      } finally {
        await copy.release();
      }
    };
    return await rehearseStages(shadow, 'database', migration, before, analysis, inCopy);
  } finally {
    await Promise.all(databases.map((database) => database.release()));
  }
}

type Isolated = <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>;

async function rehearseStages(
  shadow: Shadow,
  mode: MigrationRehearsal['mode'],
  migration: Migration,
  before: SchemaSnapshot,
  analysis: AnalyzedMigration,
  isolated: Isolated,
): Promise<MigrationRehearsal> {
  const steps = rollbackSteps([analysis]);
  const seedTargets = seedTargetsOf(analysis);

  const runRollback = async (client: pg.Client): Promise<RehearsalFailure | undefined> => {
    for (const { step, item } of steps) {
      try {
        await client.query(step.sql);
      } catch (error) {
        return { stage: 'rollback', at: step.sql, message: (error as Error).message, change: item.change };
      }
    }
    return undefined;
  };

  const rollback = await isolated(async (client) => {
    const applied = await applySql(client, migration.up);
    if (applied) return failed('migration', applied);
    const failure = await runRollback(client);
    if (failure) return { restored: false, differences: [], failure };
    const differences = diffSnapshots(before, await shadow.readSnapshot(client));
    return { restored: differences.length === 0, differences };
  });

  const seeded = await isolated(async (client) => {
    const applied = await applySql(client, migration.up);
    if (applied) return { rows: { seeded: [], rejected: [] }, failure: failed('migration', applied).failure };
    const rows = await seedRows(client, seedTargets);
    const failure = await runRollback(client);
    return { rows, ...(failure ? { failure } : {}) };
  });

  // Rows in the existing tables before the migration: what it does to them must be undone by the rollback too.
  // Only a safe verdict can change for it (./evidence.ts): when the other stages leave none, it is not run.
  const data = !dataCanMatter(analysis, rollback, seeded) ? { rows: { seeded: [], rejected: [] }, differing: [], skipped: DATA_NOT_NEEDED } : await isolated(async (client): Promise<DataComparison> => {
    const rows = await seedExistingTables(client, before);
    const sums = await checksumData(client, before);
    const applied = await applySql(client, migration.up);
    if (applied) return { rows, differing: [], skipped: `the migration fails with rows present (${applied.message})` };
    const failure = await runRollback(client);
    if (failure) return { rows, differing: [], skipped: `the rollback fails with rows present (${failure.message})` };
    return { rows, differing: differingData(sums, await checksumData(client, before)) };
  });

  const down = migration.down
    ? await isolated(async (client) => {
        const downSource = migration.down!;
        const destroys = destroyedBy(migration);
        const applied = await applySql(client, migration.up);
        if (applied) return { ...failed('migration', applied), path: downSource.path, rows: { seeded: [], rejected: [] }, destroys };
        const rows = await seedRows(client, seedTargets);
        const downFailure = await applySql(client, downSource);
        if (downFailure) return { ...failed('down', downFailure), path: downSource.path, rows, destroys };
        const differences = diffSnapshots(before, await shadow.readSnapshot(client));
        return { restored: differences.length === 0, differences, path: downSource.path, rows, destroys };
      })
    : undefined;

  return { mode, analysis, rollback, seeded, data, ...(down ? { down } : {}) };
}

const DATA_NOT_NEEDED = 'not needed: no change of this migration is safe after the schema rehearsal, so the data comparison cannot change a verdict';

/**
 * Whether the data comparison can change a verdict: it makes safe changes risky, and adds a risky change when every
 * change is safe (none at all included). Decided from the verdicts the schema stages leave.
 */
function dataCanMatter(analysis: AnalyzedMigration, rollback: RehearsalOutcome, seeded: MigrationRehearsal['seeded']): boolean {
  const noData: DataComparison = { rows: { seeded: [], rejected: [] }, differing: [] };
  const { changes } = withRehearsalEvidence({ mode: 'transaction', analysis, rollback, seeded, data: noData });
  return changes.length === 0 || changes.some(({ assessment }) => assessment.verdict === 'safe');
}

function failed(stage: RehearsalFailure['stage'], failure: ApplyFailure): RehearsalOutcome {
  return {
    restored: false,
    differences: [],
    failure: { stage, at: `${failure.path}:${failure.line}:${failure.column}`, message: failure.message },
  };
}

/** Tables the migration touches (that exist after it), with the columns it touches. */
function seedTargetsOf(analysis: AnalyzedMigration): SeedTarget[] {
  const targets = new Map<string, SeedTarget>();
  for (const { change } of analysis.changes) {
    const table = change.target?.table;
    if (!table || change.kind === 'drop_table') continue;
    const key = `${table.schema}.${table.name}`;
    const target = targets.get(key) ?? { table, touched: [] };
    target.touched.push(...(change.target?.columns ?? []));
    targets.set(key, target);
  }
  return [...targets.values()];
}

/** Statements Postgres refuses inside a transaction block, or that manage transactions themselves. */
const OUTSIDE_TRANSACTION = new Set([
  'TransactionStmt', 'VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt',
]);

function isTransactional(source: SqlSource): boolean {
  return sourceSpans(source).spans.every((statement) => !OUTSIDE_TRANSACTION.has(statement.tag) && !statement.concurrent);
}

/** What a down migration destroys: its irreversible changes, by the same rules as any migration. */
function destroyedBy(migration: Migration): string[] {
  const down = analyzeMigration({ ...migration, up: migration.down! });
  return down.changes
    .filter(({ assessment }) => assessment.verdict === 'irreversible')
    .map(({ change, assessment }) => `line ${change.position.line}: ${change.kind} ${change.object}: ${assessment.reason}`);
}
