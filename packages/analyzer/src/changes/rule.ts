/**
 * The shape of a rule module: one per change kind, like a typescript-eslint rule or a squawk rule.
 * It says where it looks in the AST, what change it recognises there, how that change is rolled
 * back, what the verdict is and on what evidence, and how to explain itself (`migcheck explain`).
 */
import type { RangeVar } from 'libpg-query';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import type { DataProbes, Finding, ProbeName } from '../probes/index.js';
import type { ParsedStatement } from '../source/parse.js';
import type { Assessment, Change, ChangeDraft, ChangeKind, RollbackStep, StepTiming, Verdict } from './types.js';

export interface RecogniseContext {
  statement: ParsedStatement;
  /** The schema unqualified names resolve to (search_path's first entry; `public` by default). */
  defaultSchema: string;
  /** For ALTER TABLE subcommands: the enclosing statement. */
  alterTable?: { relation: RangeVar | undefined; objtype: string | undefined };
}

export interface RuleDoc {
  id: string;
  kind: ChangeKind;
  title: string;
  /** The seed's wording (rollback-and-recovery.txt, Part 4) where it covers this change. */
  seed?: string;
  explain: string;
  /**
   * Statements this rule recognises and the verdict each gets from the statement alone (no prior schema, no
   * data check): printed by `migcheck explain <rule>` and in the README's rule table, and run by a test.
   */
  examples?: RuleExample[];
}

export interface RuleExample {
  sql: string;
  verdict: Verdict;
}

export interface Rule<P = unknown, D = unknown> extends RuleDoc {
  /**
   * Where the rule looks: statement tags (`CreateStmt`) or ALTER TABLE subcommands
   * (`AlterTableCmd:AT_AddColumn`). Several rules may share a selector; the first that recognises wins.
   */
  on: readonly string[];
  /**
   * Whether `assess` reads the prior schema (`context.prior`): lint replays the history only for changes whose
   * verdict it can improve.
   */
  readsPrior: boolean;
  /** The probes the data check asks; `dataCheck` is given only these. */
  probes?: readonly ProbeName[];
  recognise(node: P, context: RecogniseContext): ChangeDraft<D> | ChangeDraft<D>[] | undefined;
  /**
   * The live data check the verdict depends on, for the migration's state (pending: before the deploy;
   * applied: before a rollback), or undefined when the data cannot change the answer.
   */
  dataCheck?(change: Change<D>, state: MigrationState, probes: DataProbes, context: AssessContext): Promise<DataCheck> | undefined;
  assess(change: Change<D>, context: AssessContext): Assessment;
}

export type MigrationState = 'pending' | 'applied';

/** What a data check found (probes/finding.ts), and the probes bound to the target (probes/index.ts). */
export type { DataProbes, Finding, ProbeName };

/** A data check's question (the seed's wording where Part 4 has it) and what the target's data answered. */
export interface DataCheck {
  question: string;
  finding: Finding;
}

export interface AssessContext {
  /**
   * The schema as it was before the migration, read from a real Postgres catalog (the shadow database's
   * replay of the migration's history, or the target database). Absent for static analysis.
   */
  prior?: SchemaSnapshot;
  /**
   * The schema before the migration, kept where `prior` is withheld because an earlier statement of the migration
   * touched the same object: only to tell the objects the migration created from those that existed before (the
   * names Postgres chose for unnamed indexes and constraints).
   */
  existedBefore?: SchemaSnapshot;
  /**
   * For the migration as a whole: the schema just before statement k, read in the shadow for the statements whose
   * object an earlier statement of the migration touched (plan/analyze.ts gives it to those as their `prior`).
   */
  withinMigration?: ReadonlyMap<number, SchemaSnapshot>;
  /**
   * The schema once the migration ran, read from a shadow copy of the prior state it was applied to: what the
   * statements leave to Postgres (the names it chose for unnamed indexes and constraints).
   */
  after?: SchemaSnapshot;
  /** Whether the migration is already applied to the target database (plan --database-url). */
  state?: MigrationState;
  /** The target database's schema as it is now. */
  target?: SchemaSnapshot;
  /** The answer of this change's data check, when one ran. */
  data?: DataCheck;
}

/** Erases a rule's payload types for the registry, keeping them checked inside the module. */
export function defineRule<P, D>(rule: Rule<P, D>): Rule<unknown, unknown> {
  return rule as unknown as Rule<unknown, unknown>;
}

export function step(sql: string, timing: StepTiming = 'any', transactional = true): RollbackStep {
  return { sql, timing, transactional };
}

/** The seed's options when data is already lost: "1. Restore from backup 2. Accept data loss 3. Recreate from logs". */
export const FORWARD_FIX_OPTIONS = [
  'Restore from backup: recover the lost data from a backup or point-in-time recovery taken before the migration',
  'Accept data loss: keep the new schema and fix forward in the application',
  'Recreate from logs: rebuild the lost values from application or audit logs',
];

/** Said wherever a rollback needs the schema as it was, which the statement alone does not show. */
export const PRIOR_STATE_UNKNOWN = 'the statement does not show the prior definition, and no prior schema was read';

/**
 * Why the drop that undoes `CREATE … IF NOT EXISTS` may do more than undo it, without the prior schema: the rollback
 * script then says INCOMPLETE, so that nobody runs the drop blindly.
 */
export function mayHaveExisted(object: string): string {
  return `${object} may have existed before this migration (IF NOT EXISTS, and no prior schema was read): check that it did not before running the drop`;
}

