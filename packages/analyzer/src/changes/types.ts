/**
 * The change model: what one statement (or one ALTER TABLE subcommand) does to the schema, and what
 * rolling it back takes. Kinds are part of the public JSON contract (DESIGN.md): extend, never rename.
 */
import type { Position } from '../source/sql-text.js';
import type { QualifiedName } from '../sql/name.js';

export const CHANGE_KINDS = [
  'add_column',
  'drop_column',
  'alter_column_type',
  'add_table',
  'drop_table',
  'rename_column',
  'rename_table',
  'rename_object',
  'add_index',
  'drop_index',
  'add_constraint',
  'drop_constraint',
  'set_not_null',
  'drop_not_null',
  'set_default',
  'drop_default',
  'add_enum_value',
  'create_object',
  'drop_object',
  'replace_object',
  'alter_object',
  'data_change',
  'unknown',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const VERDICTS = ['safe', 'risky', 'irreversible'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What a verdict rests on, from weakest to strongest (DESIGN.md, principle 2). */
export const EVIDENCE = ['static', 'catalog', 'data', 'rehearsed'] as const;
export type Evidence = (typeof EVIDENCE)[number];

// The name type lives in the bottom SQL layer; re-exported for the modules that import it from here.
export type { QualifiedName } from '../sql/name.js';

/** When a rollback step runs relative to deploying the old application version (the seed's order). */
export type StepTiming = 'before-app' | 'after-app' | 'any';

export interface RollbackStep {
  sql: string;
  timing: StepTiming;
  /** False for statements Postgres refuses inside a transaction block (… CONCURRENTLY). */
  transactional: boolean;
}

export interface Assessment {
  verdict: Verdict;
  /** Why, in a sentence a person can act on; says which data check would change it. */
  reason: string;
  evidence: Evidence;
  /** The statements that undo the change, in the order they run. Empty when none is needed or possible. */
  rollback: RollbackStep[];
  /** For forward-fix-only changes: the options that remain (the seed's three for lost data). */
  options?: string[];
  notes?: string[];
  /**
   * Why the rollback steps given do not restore everything the change did (they are still worth running): the
   * rollback script then says INCOMPLETE with this reason, like a change that has no step at all.
   */
  incomplete?: string;
}

/** What a change touches, so later changes of the same migration can be seen as undone with it. */
export interface ChangeTarget {
  table?: QualifiedName;
  /** The columns of `table` the change writes or alters; absent when it is about the table as a whole. */
  columns?: string[];
}

/** A change as a rule recognises it in one statement. */
export interface ChangeDraft<D = unknown> {
  object: string;
  details: D;
  target?: ChangeTarget;
  /** A byte offset inside the statement that points at this change (a subcommand), if any. */
  locationByte?: number;
  /**
   * Why migcheck cannot tell which object an unqualified name of the statement means (the search_path has
   * several schemas, a temporary table may shadow it…): such a change is never safe.
   */
  unresolved?: string;
  /** Functions the statement runs that may change something persistent beyond this change (nextval, user functions). */
  sideEffects?: string[];
  /** Tables that foreign keys declared by the statement reference with ON DELETE / ON UPDATE actions. */
  referencedWithActions?: QualifiedName[];
}

export interface Change<D = unknown> extends ChangeDraft<D> {
  kind: ChangeKind;
  rule: string;
  position: Position;
  /** Index of the statement in its migration, and its text. */
  statementIndex: number;
  statementText: string;
}

const VERDICT_ORDER: Record<Verdict, number> = { safe: 0, risky: 1, irreversible: 2 };

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'safe';
  for (const verdict of verdicts) if (VERDICT_ORDER[verdict] > VERDICT_ORDER[worst]) worst = verdict;
  return worst;
}

export function verdictAtLeast(verdict: Verdict, threshold: Verdict): boolean {
  return VERDICT_ORDER[verdict] >= VERDICT_ORDER[threshold];
}
