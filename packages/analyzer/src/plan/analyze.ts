/**
 * Migrations → changes with verdicts. Parses each migration's up SQL, recognises its changes, and
 * assesses each with the evidence at hand (the statement, and the prior schema when one is given).
 */
import { displayName } from '../changes/naming.js';
import { recogniseChanges } from '../changes/recognise.js';
import type { AssessContext, DataCheck, DataProbes, MigrationState } from '../changes/rule.js';
import { ruleById } from '../changes/registry.js';
import { codeMigration, codeMigrationChange } from '../changes/rules/code-migration.js';
import type { Assessment, Change, Verdict } from '../changes/types.js';
import { worstVerdict } from '../changes/types.js';
import { isAcknowledged, readDirectives, type Acknowledgement } from '../source/directives.js';
import type { Migration } from '../source/discover.js';
import type { CodeStep } from '../source/layouts.js';
import { loadParser, parseSql } from '../source/parse.js';
import { SqlText } from '../source/sql-text.js';
import { CreatedObjects, undoneAssessment } from './subsumption.js';

export interface AnalyzedChange {
  change: Change;
  assessment: Assessment;
  acknowledged?: Acknowledgement;
  /** The change of the same migration whose rollback also undoes this one. */
  undoneBy?: Change;
  /** The live data check that decided the verdict (plan --database-url). */
  data?: DataCheck;
}

export interface AnalyzedMigration {
  migration: Migration;
  statements: number;
  changes: AnalyzedChange[];
  verdict: Verdict;
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
  return change.kind === 'alter_object' ? [`property:${object}`] : [object, ...columns];
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

function withoutPrior(context: AssessContext): AssessContext {
  const { prior: _prior, ...rest } = context;
  return rest;
}

/** Parses every migration first, so that bad input fails the run before anything is reported. */
export async function analyzeMigrations(migrations: Migration[], context: AssessContext = {}): Promise<AnalyzedMigration[]> {
  await loadParser();
  return migrations.map((migration) => analyzeMigration(migration, context));
}

export function analyzeMigration(migration: Migration, context: AssessContext = {}): AnalyzedMigration {
  if (migration.code) return analyzedCodeMigration(migration, migration.code);
  const sql = new SqlText(migration.up.text);
  const statements = parseSql(sql, migration.up.path);
  const directives = readDirectives(sql, statements);
  const changes = recogniseChanges(statements, { locate: (byte) => sql.positionOfByte(byte) });
  const created = new CreatedObjects(context.prior);

  const touched = new Set<string>();
  // Table names a rename or SET SCHEMA gave to, or took from, a table: the prior schema's table of that name
  // is not (or no longer) the one a later statement means.
  const movedTables = new Set<string>();
  const analyzed = changes.map((change): AnalyzedChange => {
    const rule = ruleById(change.rule);
    if (!rule) throw new Error(`no rule ${change.rule}`); // the registry produced the change: cannot happen
    // The prior schema is the state before the migration. Once an earlier statement of the same
    // migration has touched this change's object, that is no longer the state this statement saw.
    const keys = touchedKeys(change);
    const table = change.target?.table;
    const seenBefore = keys.some((key) => touched.has(key)) || (table !== undefined && movedTables.has(displayName(table)));
    keys.forEach((key) => touched.add(key));
    for (const moved of movedNames(change)) movedTables.add(moved);
    const own = rule.assess(change, seenBefore ? withoutPrior(context) : context);
    const undo = created.undoerOf(change);
    const undoer = undo && undo.leftBehind.length === 0 ? undo.undoer : undefined;
    const assessment = neverSafeWhenUnfollowed(change, undo ? undoneAssessment(undo, own.evidence) : own);
    created.record(change, assessment);
    const acknowledged = isAcknowledged(change.rule, [
      ...directives.file,
      ...(directives.byStatement.get(change.statementIndex) ?? []),
    ]);
    return { change, assessment, ...(acknowledged ? { acknowledged } : {}), ...(undoer ? { undoneBy: undoer } : {}) };
  });

  return {
    migration,
    statements: statements.length,
    changes: analyzed,
    verdict: worstVerdict(analyzed.map((item) => item.assessment.verdict)),
  };
}

/** A migration written as code is not read: one change, "code migration, not read", risky (never safe). */
function analyzedCodeMigration(migration: Migration, code: CodeStep): AnalyzedMigration {
  const change = codeMigrationChange(code);
  const assessment = codeMigration.assess(change, {});
  return { migration, statements: 0, changes: [{ change, assessment }], verdict: assessment.verdict };
}

/**
 * Runs the data check of every change that has one (and is not undone by another change of the
 * migration), then assesses that change again with the answer: evidence `data`.
 */
export async function withDataChecks(analyzed: AnalyzedMigration, context: AssessContext & { state: MigrationState }, probes: DataProbes): Promise<AnalyzedMigration> {
  const changes: AnalyzedChange[] = [];
  for (const item of analyzed.changes) {
    const rule = ruleById(item.change.rule);
    const check = item.undoneBy || !rule?.dataCheck ? undefined : rule.dataCheck(item.change, context.state, probes, context);
    const data = check ? await check : undefined;
    changes.push(data && rule ? { ...item, assessment: rule.assess(item.change, { ...context, data }), data } : item);
  }
  return { ...analyzed, changes, verdict: worstVerdict(changes.map((item) => item.assessment.verdict)) };
}
