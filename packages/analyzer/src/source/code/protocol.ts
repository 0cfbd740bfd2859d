/**
 * What migcheck and its capture runner (a child process, runner.ts) say to each other: a request file in, one
 * JSON line per event out (appended to a result file, so that what was written before a kill is kept).
 */

/** The knexfile's settings migcheck uses, as far as they are plain data. */
export interface KnexSettings {
  /** `migrations.directory`, one or several, as written (relative to the knexfile's folder). */
  directories?: string[];
  loadExtensions?: string[];
  schemaName?: string;
  tableName?: string;
  searchPath?: string[];
  /** `client`, when it is a name: a client other than PostgreSQL's is said in a note. */
  client?: string;
}

/** What the runner is asked to do. */
export type RunnerJob = { mode: 'knexfile'; knexfile: string } | { mode: 'capture'; tool: CodeTool; files: string[]; searchPath?: string[] };

/** The migration tools whose code the runner captures. */
export type CodeTool = 'knex' | 'node-pg-migrate' | 'typeorm' | 'sequelize';

export type RunnerRequest = RunnerJob & { resultFile: string };

/** One query the migration sent: its SQL with the bindings written as literals, and the line that built it. */
export interface CapturedQuery {
  sql: string;
  line?: number;
}

export type Direction = 'up' | 'down';

export type RunnerEvent =
  | { event: 'settings'; settings: KnexSettings }
  | { event: 'settings-failed'; message: string }
  | { event: 'begin'; index: number }
  | {
      event: 'captured';
      index: number;
      direction: Direction;
      /** False when the module exports no such function. */
      exported: boolean;
      queries: CapturedQuery[];
      /** Why the queries are not all the function would send to a real database; empty when they are. */
      gaps: string[];
      /** node-pg-migrate: a down inferred from `up` (the builder run in reverse), as the tool does when none is exported. */
      inferred?: boolean;
      /** Why the migration has no down the tool could run (`down = false`, or an inference the tool refuses). */
      refused?: string;
    }
  | { event: 'load-failed'; index: number; message: string };
