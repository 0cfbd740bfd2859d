/**
 * Migrations → changes with verdicts. Parses each migration's up SQL, recognises its changes, and
 * assesses each with the evidence at hand (the statement, and the prior schema when one is given).
 */
import { recogniseChanges } from '../changes/recognise.js';
import type { AssessContext, DataCheck, DataProbes, MigrationState } from '../changes/rule.js';
import { ruleById } from '../changes/registry.js';
import type { Assessment, Change, Verdict } from '../changes/types.js';
import { worstVerdict } from '../changes/types.js';
import { isAcknowledged, readDirectives, type Acknowledgement } from '../source/directives.js';
import type { Migration } from '../source/discover.js';
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
  const sql = new SqlText(migration.up.text);
  const statements = parseSql(sql, migration.up.path);
  const directives = readDirectives(sql, statements);
  const changes = recogniseChanges(statements, { locate: (byte) => sql.positionOfByte(byte) });
  const created = new CreatedObjects();

  const touched = new Set<string>();
  const analyzed = changes.map((change): AnalyzedChange => {
    const rule = ruleById(change.rule);
    if (!rule) throw new Error(`no rule ${change.rule}`); // the registry produced the change: cannot happen
    // The prior schema is the state before the migration. Once an earlier statement of the same
    // migration has touched this change's object, that is no longer the state this statement saw.
    const keys = touchedKeys(change);
    const seenBefore = keys.some((key) => touched.has(key));
    keys.forEach((key) => touched.add(key));
    const own = rule.assess(change, seenBefore ? withoutPrior(context) : context);
    const undoer = created.undoerOf(change);
    const assessment = undoer ? undoneAssessment(undoer, own.evidence) : own;
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
