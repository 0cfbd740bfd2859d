/** What a rehearsal found (./rehearse.ts runs it; ./evidence.ts turns it into evidence on the verdicts). */
import type { SchemaDifference } from '../catalog/diff.js';
import type { Change } from '../changes/types.js';
import type { AnalyzedMigration } from '../plan/analyze.js';
import type { ApplyFailure } from '../shadow/index.js';
import type { DataComparison } from './data.js';
import type { SeedResult } from './seed.js';

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
