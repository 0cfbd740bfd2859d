/**
 * Rehearsal: the strongest evidence. In the shadow database, in the state before a migration:
 *  1. apply the migration, then migcheck's rollback, and compare the schema with the one before;
 *  2. apply the migration, seed rows the new application could write, run the rollback again: a step
 *     that only works on empty tables fails here;
 *  3. seed rows into every table that existed before, checksum them, apply the migration and the rollback, and
 *     compare the data: what the rollback does not restore (a hidden UPDATE, a trigger's side effect) shows;
 *  4. the same as 2 with the project's own down migration, if it has one, and say what data it destroys.
 * When every statement can run in a transaction block, all stages run in one transaction under
 * savepoints (no copy of the database); otherwise each runs in a fresh copy.
 */
import type pg from 'pg';
import { diffSnapshots, type SchemaDifference } from '../catalog/diff.js';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import type { Change } from '../changes/types.js';
import { analyzeMigration, type AnalyzedMigration } from '../plan/analyze.js';
import { rollbackSteps } from '../plan/rollback-script.js';
import { applySql, type ApplyFailure, type Shadow } from '../shadow/index.js';
import type { Migration, SqlSource } from '../source/discover.js';
import { sourceSpans } from '../source/parse.js';
import { checksumData, differingData, seedExistingTables, type DataComparison } from './data.js';
import { seedRows, type SeedResult, type SeedTarget } from './seed.js';

export interface RehearsalFailure {
  stage: 'migration' | 'rollback' | 'down';
  /** Where: the file and line for a migration or down file; the statement for a rollback step. */
  at: string;
  message: string;
  /** The change whose rollback step failed. */
  change?: Change;
}

export interface RehearsalOutcome {
  /** The schema after the rollback equals the schema before the migration. */
  restored: boolean;
  differences: SchemaDifference[];
  failure?: RehearsalFailure;
}

export interface MigrationRehearsal {
  mode: 'transaction' | 'database';
  analysis: AnalyzedMigration;
  /** migcheck's rollback right after the migration. */
  rollback: RehearsalOutcome;
  /** migcheck's rollback after rows were seeded. */
  seeded: { rows: SeedResult; failure?: RehearsalFailure };
  /** The project's own down migration, after rows were seeded. */
  down?: RehearsalOutcome & { path: string; rows: SeedResult; destroys: string[] };
  /** migcheck's rollback with rows in the tables that existed before: the data, compared. */
  data: DataComparison;
}

export type RehearsalResult = MigrationRehearsal | { historyFailure: ApplyFailure };

/**
 * Rehearses one migration. `analyze` assesses it against the schema before it (read from the rehearsal
 * database itself, so the rollback is built from exactly the state it is rehearsed on).
 */
export async function rehearseMigration(
  shadow: Shadow,
  migration: Migration,
  analyze: (prior: SchemaSnapshot) => AnalyzedMigration,
): Promise<RehearsalResult> {
  const first = await shadow.databaseBefore(migration);
  if ('failure' in first) return { historyFailure: first.failure };
  const transactional = isTransactional(migration.up) && (!migration.down || isTransactional(migration.down));

  try {
    if (transactional) await first.client.query('BEGIN');
    // Read as the shadow reads prior schemas: the replay role is no owner to restore (../shadow/sandbox.ts).
    const before = await shadow.readSnapshot(first.client);
    const analysis = analyze(before);
    const steps = rollbackSteps([analysis]);
    if (!steps.every((placed) => placed.step.transactional) && transactional) {
      // The rollback needs to run outside a transaction block: start over with copies.
      await first.client.query('ROLLBACK');
      return await rehearseInCopies(shadow, migration, first.client, before, analysis);
    }
    if (!transactional) return await rehearseInCopies(shadow, migration, first.client, before, analysis);

    const inSavepoint = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
      await first.client.query('SAVEPOINT migcheck_rehearsal');
      try {
        return await work(first.client);
      } finally {
        await first.client.query('ROLLBACK TO SAVEPOINT migcheck_rehearsal');
      }
    };
    return await rehearseStages(shadow, 'transaction', migration, before, analysis, inSavepoint);
  } finally {
    if (transactional) await first.client.query('ROLLBACK').catch(() => undefined);
    await first.release();
  }
}

async function rehearseInCopies(
  shadow: Shadow,
  migration: Migration,
  firstClient: pg.Client,
  before: SchemaSnapshot,
  analysis: AnalyzedMigration,
): Promise<RehearsalResult> {
  let firstUsed = false;
  const inCopy = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    if (!firstUsed) {
      firstUsed = true;
      return work(firstClient);
    }
    const copy = await shadow.databaseBefore(migration);
    if ('failure' in copy) throw new Error(copy.failure.message); // the history applied a moment ago: cannot happen
    try {
      return await work(copy.client);
    } finally {
      await copy.release();
    }
  };
  return rehearseStages(shadow, 'database', migration, before, analysis, inCopy);
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
  const data = await isolated(async (client): Promise<DataComparison> => {
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
