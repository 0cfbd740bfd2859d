/**
 * The rollback script: every change's rollback steps, newest migration first and last statement
 * first, sorted by the dependencies Postgres enforces between what they drop, with the point where the old application version is
 * deployed. The seed's order: for an added column or table, deploy the old app, then drop; for a type
 * change, revert the type, then deploy the old app. Steps keep the reverse order even when that puts a
 * step on the "wrong" side of the deploy; the script says so.
 */
import { worstVerdict, type ChangeKind, type RollbackStep } from '../changes/types.js';
import { sqlComment } from '../sql/comment.js';
import { VERSION } from '../version.js';
import type { AnalyzedChange, AnalyzedMigration } from './analyze.js';
import { lockLine, onlineSteps, type OnlineContext, type OnlineStep } from './online/index.js';
import { displayName } from '../changes/naming.js';
import { describeSize, type TableSize } from './table-size.js';
import { orderByDependencies, type OrderedUnit } from './rollback-order.js';
import { verificationOf, withVerification } from './verification/index.js';
import type { Verification } from './verification/types.js';

export interface RollbackScript {
  sql: string;
  transactional: boolean;
  incomplete: boolean;
  /** No statement blocks writes for a scan or rewrite, and every statement's lock is known. */
  zeroDowntime: boolean;
  /** When not zero-downtime: each blocking or unrecognised statement, with the alternative. */
  downtime?: string[];
  /** The verification queries the script holds, as data: a deploy tool runs them without parsing the script. */
  verification: Verification;
}

export interface PlacedStep {
  step: RollbackStep;
  item: AnalyzedChange;
  migration: AnalyzedMigration;
}

/**
 * Every rollback step in the order they must run: newest migration first and last change first, then sorted by
 * the dependencies between the objects they drop (./rollback-order.ts).
 */
export function rollbackSteps(migrations: AnalyzedMigration[]): PlacedStep[] {
  const units: Array<OrderedUnit<PlacedStep[]>> = [];
  [...migrations].reverse().forEach((migration, migrationIndex) => {
    for (const item of [...migration.changes].reverse()) {
      if (item.assessment.rollback.length === 0) continue;
      const takenAlong = migration.changes.filter((other) => other.undoneBy === item.change).map((other) => other.change.statementText);
      const { change, assessment } = item;
      units.push({
        item: assessment.rollback.map((step) => ({ step, item, migration })),
        kind: change.kind,
        object: change.object,
        statements: [change.statementText, ...takenAlong],
        migration: migrationIndex,
        statementIndex: change.statementIndex,
        renames: RENAMES.has(change.kind) || (change.kind === 'alter_object' && (change.details as { newSchema?: string }).newSchema !== undefined),
        recreatesFromPrior: assessment.evidence !== 'static' && RECREATES.has(change.kind),
        rollback: assessment.rollback.map((step) => step.sql),
      });
    }
  });
  return orderByDependencies(units, mergeTableDrops).flat();
}

const RENAMES: ReadonlySet<ChangeKind> = new Set(['rename_column', 'rename_table', 'rename_object']);
/** Kinds whose rollback, with the prior schema, recreates a definition read from it. */
const RECREATES: ReadonlySet<ChangeKind> = new Set(['drop_index', 'drop_constraint', 'drop_object', 'drop_table', 'replace_object']);

const DROP_TABLE = /^DROP TABLE (.+);$/;

/** `DROP TABLE a;` and `DROP TABLE b;` → `DROP TABLE a, b;`: tables whose foreign keys reference each other go together. */
function mergeTableDrops(cycle: PlacedStep[][]): PlacedStep[] | undefined {
  const names = cycle.map((steps) => (steps.length === 1 ? DROP_TABLE.exec(steps[0]!.step.sql)?.[1] : undefined));
  if (names.some((name) => name === undefined)) return undefined;
  const first = cycle[0]![0]!;
  return [{ ...first, step: { ...first.step, sql: `DROP TABLE ${names.join(', ')};` } }];
}

const DEPLOY_MARKER = sqlComment('==> Deploy the old application version now, then run the rest of this script. <==');

/** What the target database adds to the script (plan --database-url). */
export interface ScriptOptions {
  /** By `schema.table`: said next to each step that scans or rewrites the table. */
  tableSizes?: ReadonlyMap<string, TableSize>;
}

/**
 * Whether these migrations have a rollback script: none when a change is irreversible (forward-fix only). Building
 * one parses its steps (the parser must be loaded: sql/parser.ts); a report without one parses nothing.
 */
export function hasRollbackScript(migrations: readonly AnalyzedMigration[]): boolean {
  return !migrations.some((migration) => migration.changes.some((item) => item.assessment.verdict === 'irreversible'));
}

export function buildRollbackScript(migrations: AnalyzedMigration[], options: ScriptOptions = {}): RollbackScript | null {
  if (!hasRollbackScript(migrations)) return null;
  const all = migrations.flatMap((migration) => migration.changes);

  const steps = rollbackSteps(migrations);
  const missing = all.filter(
    (item) => !item.undoneBy && ((item.assessment.rollback.length === 0 && needsRollback(item)) || item.assessment.incomplete !== undefined),
  );

  // The deploy goes right after the last step that must run before it.
  let lastBefore = -1;
  steps.forEach((placed, index) => {
    if (placed.step.timing === 'before-app') lastBefore = index;
  });
  const phaseOne = steps.slice(0, lastBefore + 1);
  const phaseTwo = steps.slice(lastBefore + 1);
  const misplaced = phaseOne.filter((placed) => placed.step.timing === 'after-app');
  // Each logical step in its production form (./online/): online where Postgres allows, able to run again.
  const online = new Map(placedOnline(steps, migrations, options));
  const transactional = [...online.values()].flat().every((step) => step.transactional);
  const downtime = downtimeOf([...online.values()].flat());

  const lines: string[] = [];
  // Every comment goes through sqlComment: names, paths and reasons come from untrusted migrations, and a line
  // break in one would end the comment and make the rest of it a statement.
  const header = (text: string) => lines.push(sqlComment(text));
  header(`Rollback generated by migcheck ${VERSION} for ${migrations.length} migration${migrations.length === 1 ? '' : 's'}, newest first.`);
  header(`Verdict: ${worstVerdict(all.map((item) => item.assessment.verdict))}.`);
  if (steps.length === 0) {
    header('Nothing to run: no change of these migrations needs a rollback statement.');
  } else if (phaseOne.length === 0) {
    header('1. Deploy the old application version first (it does not use what this script drops).');
    header('2. Then run this script.');
  } else if (phaseTwo.length === 0) {
    header('1. Run this script (it makes the schema fit the old application version).');
    header('2. Then deploy the old application version.');
  } else {
    header('1. Run the statements up to the marker "Deploy the old application version now".');
    header('2. Deploy the old application version.');
    header('3. Run the rest.');
  }
  if (misplaced.length > 0) {
    header('');
    header('To keep dependencies in order, some statements that drop what the new version uses run before');
    header('the old version is deployed; expect errors from the new version until it is replaced.');
  }
  if (steps.length > 0) {
    header('');
    for (const line of LOCK_SAFETY) header(line);
  }
  if (!downtime.zeroDowntime) {
    header('');
    header('NOT ZERO-DOWNTIME: some statements block writes while they scan or rewrite a table, or take a lock not known:');
    for (const line of downtime.blocking) header(`  ${line}`);
  }
  if (missing.length > 0) {
    header('');
    header('INCOMPLETE: these changes have no rollback statement, or only a partial one; handle them by hand:');
    for (const item of missing) {
      header(`  ${location(item, findMigration(migrations, item))} ${item.change.kind} ${item.change.object}: ${item.assessment.incomplete ?? item.assessment.reason}`);
    }
  }

  const emitPhase = (phase: PlacedStep[]) => {
    if (phase.length === 0) return;
    lines.push('');
    // Each part sets them: the old application is deployed in between, and the rest may run in another session.
    lines.push(`SET lock_timeout = '${LOCK_TIMEOUT}';`, `SET statement_timeout = '${STATEMENT_TIMEOUT}';`);
    let current: AnalyzedMigration | undefined;
    let lastItem: AnalyzedChange | undefined;
    for (const placed of phase) {
      if (placed.migration !== current) {
        current = placed.migration;
        lines.push('', sqlComment(`Undo ${placed.migration.migration.path}`));
      }
      if (placed.item !== lastItem) {
        lastItem = placed.item;
        const { change, assessment } = placed.item;
        lines.push(sqlComment(`line ${change.position.line}: ${change.kind} ${change.object} (${assessment.verdict})`));
        for (const note of assessment.notes ?? []) lines.push(sqlComment(note));
      }
      for (const step of online.get(placed) ?? []) lines.push(...onlineLines(step));
    }
  };

  emitPhase(phaseOne);
  if (phaseOne.length > 0 && phaseTwo.length > 0) lines.push('', DEPLOY_MARKER);
  emitPhase(phaseTwo);
  // The verification queries (./verification/): pre-checks first, backup checks after their backups, the rest at the end.
  const verification = verificationOf(migrations);
  return {
    sql: withVerification(`${lines.join('\n')}\n`, verification),
    transactional,
    incomplete: missing.length > 0,
    zeroDowntime: downtime.zeroDowntime,
    ...(downtime.zeroDowntime ? {} : { downtime: downtime.blocking }),
    verification,
  };
}

/** Each statement waits at most this long for its lock: a rollback must not queue every query behind it. */
const LOCK_TIMEOUT = '5s';
/** Statements that only change the catalog finish in milliseconds once they hold their lock. */
const STATEMENT_TIMEOUT = '1min';
/** A statement that scans or rewrites a table gets this long (raise it for a large table). */
const SCAN_TIMEOUT = '1h';

const LOCK_SAFETY = [
  `Each statement runs on its own (no transaction block), waits at most lock_timeout = '${LOCK_TIMEOUT}' for its lock,`,
  'and says the lock it takes. Each can run again (IF [NOT] EXISTS, or a DO block that checks the catalog first),',
  'except one whose lock says unknown: migcheck does not recognise it, and runs it as written.',
  'If a statement fails with "canceling statement due to lock timeout", a transaction holds the table: wait or end',
  'it, then run the script again from that statement (or from the start). If a scan hits its statement_timeout,',
  `raise it (set to '${SCAN_TIMEOUT}' before each scan) and run the script again. A CREATE INDEX CONCURRENTLY that stopped`,
  'leaves an INVALID index: the statement before it drops such a leftover, so running again builds it anew.',
];

/** The lines of one statement: its lock, its statement_timeout when it scans, the statement. */
function onlineLines(step: OnlineStep): string[] {
  const lines = [sqlComment(lockLine(step))];
  if (step.blocksWrites) lines.push(sqlComment(`NOT ZERO-DOWNTIME: blocks writes for the scan or rewrite; instead: ${step.blocksWrites.alternative}`));
  if (!step.scans) return [...lines, step.sql];
  return [...lines, `SET statement_timeout = '${SCAN_TIMEOUT}';`, step.sql, `SET statement_timeout = '${STATEMENT_TIMEOUT}';`];
}

export interface Downtime {
  /** No statement blocks writes for a scan or rewrite, and every statement's lock is known. */
  zeroDowntime: boolean;
  /** Why not: each blocking or unrecognised statement, with the alternative. */
  blocking: string[];
}

/** Whether the online forms of a rollback run without blocking writes, and why not. */
export function downtimeOf(online: OnlineStep[]): Downtime {
  const blocking = online.flatMap((step) => {
    const statement = firstLine(step.logical ?? step.sql);
    if (step.blocksWrites) return [`${statement} (${step.lock}); instead: ${step.blocksWrites.alternative}`];
    if (step.unrecognised) return [`${statement}: lock ${step.lock}`];
    return [];
  });
  return { zeroDowntime: blocking.length === 0, blocking };
}

/** Each placed step in its online forms (./online/), the size of its table said where it scans or rewrites it. */
function placedOnline(steps: PlacedStep[], migrations: AnalyzedMigration[], options: ScriptOptions): Array<[PlacedStep, OnlineStep[]]> {
  const known = knownTables(migrations);
  return steps.map((placed) => {
    const table = placed.item.change.target?.table;
    const size = table && options.tableSizes?.get(`${table.schema}.${table.name}`);
    const online = onlineSteps(placed.step, onlineContext(placed, known));
    return [placed, size ? online.map((step) => (step.scans || step.blocksWrites ? { ...step, lock: `${step.lock} (${displayName(table)}: ${describeSize(size)})` } : step)) : online];
  });
}

interface KnownTables {
  partitioned: ReadonlySet<string>;
  /** `schema.index` → `schema.table`. */
  indexTables: ReadonlyMap<string, string>;
}

/** The partitioned tables and the indexes' tables that the migrations' prior schemas show. */
function knownTables(migrations: AnalyzedMigration[]): KnownTables {
  const partitioned = new Set<string>();
  const indexTables = new Map<string, string>();
  for (const { prior } of migrations) {
    if (!prior) continue;
    for (const [key, table] of Object.entries(prior.tables)) if (table.kind === 'partitioned table') partitioned.add(key);
    for (const [key, index] of Object.entries(prior.indexes)) indexTables.set(key, index.table);
  }
  return { partitioned, indexTables };
}

/** The schema around a step (./online/step.ts): an index the migration created is on the table of its change. */
function onlineContext(placed: PlacedStep, known: KnownTables): OnlineContext {
  const table = placed.item.change.target?.table;
  const changeTable = table ? `${table.schema}.${table.name}` : undefined;
  return {
    isPartitioned: (key) => known.partitioned.has(key),
    tableOfIndex: (index) => known.indexTables.get(index) ?? changeTable,
  };
}

function firstLine(sql: string): string {
  const line = sql.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Changes that leave nothing to undo (a temporary table, VALIDATE CONSTRAINT) are not "missing". */
function needsRollback(item: AnalyzedChange): boolean {
  return item.assessment.verdict !== 'safe';
}

function findMigration(migrations: AnalyzedMigration[], item: AnalyzedChange): AnalyzedMigration | undefined {
  return migrations.find((migration) => migration.changes.includes(item));
}

function location(item: AnalyzedChange, migration: AnalyzedMigration | undefined): string {
  return `${migration?.migration.up.path ?? '?'}:${item.change.position.line}:${item.change.position.column}`;
}
