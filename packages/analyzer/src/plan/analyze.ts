/**
 * Migrations → changes with verdicts, in stages that a command computes once each (DESIGN.md, "Architecture"):
 *  - recognise: parse each migration's up SQL (once per file per command: source/parse.ts parseSource), read its
 *    directives, recognise its changes, and decide per change whether the migration-level prior schema still
 *    applies (the same-object guard, here and nowhere else);
 *  - assess: each change's verdict with the evidence at hand (the statement; the prior schema where it applies);
 *  - data checks (plan --database-url): the live data's answer refines the verdict of each change that asks one.
 */
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { displayName } from '../changes/naming.js';
import { recogniseChanges } from '../changes/recognise.js';
import type { AssessContext, DataCheck, DataProbes, MigrationState, ProbeName, Rule } from '../changes/rule.js';
import { ruleById } from '../changes/registry.js';
import { codeMigration, codeMigrationChange, partialCaptureChange } from '../changes/rules/code-migration.js';
import type { Assessment, Change, Verdict } from '../changes/types.js';
import { worstVerdict } from '../changes/types.js';
import { isAcknowledged, readDirectives, type Acknowledgement } from '../source/directives.js';
import type { Migration } from '../source/discover.js';
import { loadParser, parseSource } from '../source/parse.js';
import { CreatedObjects, undoneAssessment } from './subsumption.js';
import type { Claim } from './verification/types.js';

/** A change as recognised in its migration, before any verdict. */
export interface RecognisedChange {
  change: Change;
  rule: Rule;
  acknowledged?: Acknowledgement;
  /**
   * An earlier statement of the same migration touched this change's object: the migration-level prior schema
   * is not the state this statement saw, and is withheld from its assessment and data check.
   */
  priorOutdated?: true;
}

/** A migration parsed and its changes recognised: the stage every later one reads. */
export interface RecognisedMigration {
  migration: Migration;
  statements: number;
  changes: RecognisedChange[];
}

export interface AnalyzedChange {
  change: Change;
  assessment: Assessment;
  acknowledged?: Acknowledgement;
  /** The change of the same migration whose rollback also undoes this one. */
  undoneBy?: Change;
  /** The live data check that decided the verdict (plan --database-url). */
  data?: DataCheck;
  /** See RecognisedChange: the prior schema was withheld from this change. */
  priorOutdated?: true;
  /**
   * What the rollback script's verification takes from this change, computed while the prior schema was at hand
   * (plan/verification/index.ts, withVerificationClaims); absent: computed from the migration's `prior`.
   */
  verificationClaims?: Claim[];
}

export interface AnalyzedMigration {
  migration: Migration;
  statements: number;
  changes: AnalyzedChange[];
  verdict: Verdict;
  /** The schema before the migration, when it was read: what the rollback's verification queries compare against. */
  prior?: SchemaSnapshot;
}

/**
 * The names a change acts on: its object (a routine with its argument types: overloads are different
 * objects), and the columns of its table it touches. A property change (comment, owner, grants) lives in
 * its own namespace: it changes neither the object's definition nor whether it exists.
 */
function touchedKeys(change: Change): string[] {
  const table = change.target?.table;
  const columns = table ? (change.target?.columns ?? []).map((column) => `${table.schema}.${table.name}.${column}`) : [];
  const argumentTypes = (change.details as { ref?: { argumentTypes?: string[] } }).ref?.argumentTypes;
  const object = argumentTypes ? `${change.object}(${argumentTypes.join(',')})` : change.object;
  if (change.kind === 'alter_object') return [`property:${object}`];
  // A constraint named like a column of its table (`schema_level CHECK (schema_level = 2)`) is another object.
  if (change.kind === 'add_constraint' || change.kind === 'drop_constraint') return [`constraint:${object}`, ...columns];
  return [object, ...columns, ...renamedKeys(change)];
}

/**
 * A rename touches the object under its new name too: a later statement that names it so means an object the
 * prior schema has under the old name (Lemmy's add_avatar renames icon to avatar, then retypes avatar).
 */
function renamedKeys(change: Change): string[] {
  const { from, to } = change.details as { from?: string; to?: string };
  if (!from || !to) return [];
  const table = change.target?.table;
  if (change.kind === 'rename_column' && table) return [`${table.schema}.${table.name}.${to}`];
  if (change.kind !== 'rename_object' || !change.object.endsWith(from)) return [];
  const renamed = `${change.object.slice(0, change.object.length - from.length)}${to}`;
  // A constraint's own key (touchedKeys) is prefixed: the renamed one may be dropped or validated next.
  return [renamed, `constraint:${renamed}`, `constraint:${change.object}`];
}

/** An index or constraint created without a name: Postgres chooses one. */
export function isUnnamed(change: Change): boolean {
  const details = change.details as { index?: unknown; name?: unknown };
  return (change.kind === 'add_index' && !details.index) || (change.kind === 'add_constraint' && !details.name);
}

/** The table names a rename or SET SCHEMA moves away from and onto. */
function movedNames(change: Change): string[] {
  const table = change.target?.table;
  const details = change.details as { to?: string; newSchema?: string };
  if (!table) return [];
  if (change.kind === 'rename_table' && details.to) return [displayName(table), displayName({ schema: table.schema, name: details.to })];
  if (change.kind === 'alter_object' && details.newSchema) return [displayName(table), displayName({ schema: details.newSchema, name: table.name })];
  return [];
}

/**
 * A change whose names migcheck could not follow, or whose statement calls functions that may change what no
 * rollback restores, is at least risky, whatever its rule says.
 */
function neverSafeWhenUnfollowed(change: Change, assessment: Assessment): Assessment {
  if (assessment.verdict !== 'safe') return assessment;
  if (change.unresolved) {
    return { ...assessment, verdict: 'risky', reason: `${assessment.reason} But ${change.unresolved}, so this may be another object than ${change.object}.` };
  }
  if (change.sideEffects?.length) {
    return {
      ...assessment,
      verdict: 'risky',
      reason: `${assessment.reason} But the statement calls ${change.sideEffects.map((name) => `${name}()`).join(', ')}, which may change data or move sequences, and no rollback restores that.`,
    };
  }
  return assessment;
}

/**
 * The context a change is assessed in: the migration's. Once an earlier statement of the migration touched the
 * change's object, the migration's prior schema is outdated for it: the schema just before its own statement
 * (read in the shadow, `withinMigration`) takes its place when there is one, else it has none.
 */
function contextFor(item: { change: Change; priorOutdated?: true }, context: AssessContext): AssessContext {
  if (!item.priorOutdated) return context;
  const { prior, withinMigration, ...rest } = context;
  const own = withinMigration?.get(item.change.statementIndex);
  if (own) return { ...rest, prior: own, ...(prior ? { existedBefore: prior } : {}) };
  return prior ? { ...rest, existedBefore: prior } : rest;
}

/**
 * The statements whose own prior schema (the schema within the migration, just before them) could improve their
 * verdict: a rule reads it, and without it (`assessed`: with the migration's prior schema) the change is not safe
 * and says so on the statement alone.
 */
export function statementsNeedingOwnPrior(recognised: RecognisedMigration, assessed: AnalyzedMigration): number[] {
  const statements = recognised.changes
    .filter((item, index) => {
      const { assessment } = assessed.changes[index]!;
      return item.priorOutdated && item.rule.readsPrior && assessment.verdict !== 'safe' && assessment.evidence === 'static';
    })
    .map((item) => item.change.statementIndex);
  return [...new Set(statements)];
}

/** A rule's verdict on a change, made never safe where migcheck could not follow the change's names or calls. */
function assessChange(change: Change, rule: Rule, context: AssessContext): Assessment {
  return neverSafeWhenUnfollowed(change, rule.assess(change, context));
}

/** Parses and recognises every migration first, so that bad input fails the run before anything is reported. */
export async function recogniseMigrations(migrations: Migration[]): Promise<RecognisedMigration[]> {
  await loadParser();
  return migrations.map(recogniseMigration);
}

export function recogniseMigration(migration: Migration): RecognisedMigration {
  if (migration.code) return { migration, statements: 0, changes: [{ change: codeMigrationChange(migration.code), rule: codeMigration }] };
  const { sql, statements } = parseSource(migration.up);
  const directives = readDirectives(sql, statements);
  const changes = recogniseChanges(statements, { locate: (byte) => sql.positionOfByte(byte) });

  const touched = new Set<string>();
  // Table names a rename or SET SCHEMA gave to, or took from, a table: the prior schema's table of that name
  // is not (or no longer) the one a later statement means.
  const movedTables = new Set<string>();
  const touchedTables = new Set<string>();
  const recognised = changes.map((change): RecognisedChange => {
    const rule = ruleById(change.rule);
    if (!rule) throw new Error(`no rule ${change.rule}`); // the registry produced the change: cannot happen
    // The prior schema is the state before the migration. Once an earlier statement of the same
    // migration has touched this change's object, that is no longer the state this statement saw.
    const keys = touchedKeys(change);
    const table = change.target?.table;
    const tableName = table && displayName(table);
    // The name Postgres chooses for an unnamed index or constraint depends on every name its table has by then
    // (Lemmy drops modlog_check, then adds an unnamed CHECK that takes the name again).
    const seenBefore =
      keys.some((key) => touched.has(key)) || (tableName !== undefined && (movedTables.has(tableName) || (isUnnamed(change) && touchedTables.has(tableName))));
    keys.forEach((key) => touched.add(key));
    if (tableName) touchedTables.add(tableName);
    for (const moved of movedNames(change)) movedTables.add(moved);
    const acknowledged = isAcknowledged(change.rule, [...directives.file, ...(directives.byStatement.get(change.statementIndex) ?? [])]);
    return { change, rule, ...(acknowledged ? { acknowledged } : {}), ...(seenBefore ? { priorOutdated: true as const } : {}) };
  });
  // A code migration whose capture is not complete (knex): at least risky, with the reason.
  const gaps = migration.capture?.upGaps ?? [];
  const partial: RecognisedChange[] = migration.capture && gaps.length > 0 ? [{ change: partialCaptureChange(migration.capture.language, migration.capture.tool, gaps), rule: codeMigration }] : [];
  return { migration, statements: statements.length, changes: [...partial, ...recognised] };
}

/** Each change's verdict in the given context (the prior schema, the migration's state, the target's schema). */
export function assessMigration(recognised: RecognisedMigration, context: AssessContext = {}): AnalyzedMigration {
  const { migration } = recognised;
  // A migration written as code is not read: one change, "code migration, not read", risky (never safe).
  if (migration.code) {
    const [{ change, rule }] = recognised.changes as [RecognisedChange];
    const assessment = rule.assess(change, {});
    return { migration, statements: 0, changes: [{ change, assessment }], verdict: assessment.verdict };
  }
  const created = new CreatedObjects(context.prior);
  const analyzed = recognised.changes.map((item): AnalyzedChange => {
    const { change, rule, acknowledged, priorOutdated } = item;
    const own = assessChange(change, rule, contextFor(item, context));
    const undo = created.undoerOf(change);
    const undoer = undo && undo.leftBehind.length === 0 ? undo.undoer : undefined;
    const assessment = undo ? neverSafeWhenUnfollowed(change, undoneAssessment(undo, own.evidence)) : own;
    created.record(change, assessment);
    return { change, assessment, ...(acknowledged ? { acknowledged } : {}), ...(undoer ? { undoneBy: undoer } : {}), ...(priorOutdated ? { priorOutdated } : {}) };
  });
  const verdict = worstVerdict(analyzed.map((item) => item.assessment.verdict));
  return { migration, statements: recognised.statements, changes: analyzed, verdict, ...(context.prior ? { prior: context.prior } : {}) };
}

/** Both stages at once, for callers that analyse a migration once (tests, a down migration in a rehearsal). */
export function analyzeMigration(migration: Migration, context: AssessContext = {}): AnalyzedMigration {
  return assessMigration(recogniseMigration(migration), context);
}

export async function analyzeMigrations(migrations: Migration[], context: AssessContext = {}): Promise<AnalyzedMigration[]> {
  return (await recogniseMigrations(migrations)).map((recognised) => assessMigration(recognised, context));
}

/** The probes a rule declares (`Rule.probes`), and only those: a probe it asks without declaring it fails loudly. */
function declaredProbes(rule: Rule, probes: DataProbes): DataProbes {
  const declared = new Set<ProbeName>(rule.probes ?? []);
  return new Proxy(probes, {
    get(target, property, receiver) {
      if (typeof property === 'string' && !declared.has(property as ProbeName)) {
        throw new Error(`rule ${rule.id} asks the probe ${property}, which its probes do not list`);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Runs the data check of every change that has one (and is not undone by another change of the
 * migration), then assesses that change again with the answer: evidence `data`. Each change sees the context
 * it was assessed in (without the prior schema where it is outdated for it).
 */
export async function withDataChecks(analyzed: AnalyzedMigration, context: AssessContext & { state: MigrationState }, probes: DataProbes): Promise<AnalyzedMigration> {
  const changes: AnalyzedChange[] = [];
  for (const item of analyzed.changes) {
    const rule = ruleById(item.change.rule);
    const own = contextFor(item, context);
    const check = item.undoneBy || !rule?.dataCheck ? undefined : rule.dataCheck(item.change, context.state, declaredProbes(rule, probes), own);
    const data = check ? await check : undefined;
    changes.push(data && rule ? { ...item, assessment: assessChange(item.change, rule, { ...own, data }), data } : item);
  }
  return { ...analyzed, changes, verdict: worstVerdict(changes.map((item) => item.assessment.verdict)) };
}
