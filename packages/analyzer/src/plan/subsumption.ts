/**
 * Changes undone by another change of the same migration. A migration that creates a table and then
 * indexes it, or adds a column and backfills it, needs only the DROP TABLE / DROP COLUMN: everything
 * else it did to that table or column goes with it. Within one migration no application writes in
 * between, so this is exact, with three conditions:
 * - only a creation whose own rollback is safe and unconditional counts (not IF NOT EXISTS, which may not
 *   have created anything);
 * - names are followed through the migration in statement order (renames, SET SCHEMA, drops): a name that
 *   an existing object takes over no longer means the created one, and where a statement migcheck cannot
 *   see into (DO, unknown statements) may have moved names, nothing is undone by a DROP any more;
 * - a data change is undone only when nothing else fires: triggers and rules on the table (from the prior
 *   schema and from this migration), foreign keys that cascade from it, functions with side effects.
 */
import { displayName } from '../changes/naming.js';
import { qualifiedName, type SchemaSnapshot, type TableRuleInfo, type TriggerInfo } from '../catalog/snapshot.js';
import type { Assessment, Change, ChangeKind, QualifiedName } from '../changes/types.js';

/**
 * Kinds never undone by a table's DROP: a table rename must be reversed so the DROP finds the table,
 * and a table created and dropped in one migration leaves nothing for the DROP to find.
 */
const NEVER_UNDONE: ReadonlySet<ChangeKind> = new Set(['add_table', 'drop_table', 'rename_table']);
/** Column-level kinds undone when every column they touch was added by the migration. */
const COLUMN_LEVEL: ReadonlySet<ChangeKind> = new Set([
  'alter_column_type', 'set_default', 'drop_default', 'set_not_null', 'drop_not_null', 'data_change', 'alter_object',
]);

/** The trigger events a data change fires. */
const EVENTS: Record<string, string[]> = {
  UPDATE: ['UPDATE'],
  DELETE: ['DELETE'],
  TRUNCATE: ['TRUNCATE'],
  INSERT: ['INSERT'],
  'COPY FROM': ['INSERT'],
  'INSERT … ON CONFLICT DO UPDATE': ['INSERT', 'UPDATE'],
  MERGE: ['INSERT', 'UPDATE', 'DELETE'],
};

interface DataChangeDetails {
  operation?: string;
  columns?: string[];
  cascade?: boolean;
}

/** The change that undoes another, and what the undo would leave behind (then the change is not undone). */
export interface Undo {
  undoer: Change;
  /** What fires or runs besides the change itself, which the DROP does not undo. */
  leftBehind: string[];
}

export class CreatedObjects {
  private readonly tables = new Map<string, Change>();
  private readonly columns = new Map<string, Change>();
  /** Tables the migration created as partitions or children of other tables: key → parents. */
  private readonly parents = new Map<string, QualifiedName[]>();
  /** Triggers and rules the migration created, by table key. */
  private readonly firing = new Map<string, string[]>();
  /** Foreign keys with ON DELETE / ON UPDATE actions the migration declared, by referenced table key. */
  private readonly cascading = new Map<string, string[]>();

  constructor(private readonly prior?: SchemaSnapshot) {}

  /** Finds the change that undoes this one, if any. Call in migration order, then `record`. */
  undoerOf(change: Change): Undo | undefined {
    const table = change.target?.table;
    if (!table || change.unresolved) return undefined;
    const tableKey = displayName(table);
    const tableCreator = this.tables.get(tableKey);
    let undoer: Change | undefined;
    // SET SCHEMA moves the table the DROP names, like a rename: it must be reversed for the DROP to find it.
    const movesTable = change.kind === 'alter_object' && (change.details as { newSchema?: string }).newSchema !== undefined;
    if (tableCreator && !NEVER_UNDONE.has(change.kind) && !movesTable) undoer = tableCreator;
    const columns = change.target?.columns;
    if (!undoer && COLUMN_LEVEL.has(change.kind) && columns && columns.length > 0) {
      const creators = columns.map((column) => this.columns.get(`${tableKey}.${column}`));
      if (creators.every((creator) => creator !== undefined)) undoer = creators[0];
    }
    if (!undoer) return undefined;
    const leftBehind = (change.sideEffects ?? []).map((name) => `it calls ${name}(), which may change data or sequences the DROP does not restore`);
    if (change.kind === 'data_change') leftBehind.push(...this.sideEffectsOf(change, table, tableCreator !== undefined));
    return { undoer, leftBehind };
  }

  /** Remembers what a change created (when its rollback is safe) and follows renames. */
  record(change: Change, assessment: Assessment): void {
    this.recordFiring(change);
    // A statement migcheck cannot see into may rename or replace anything: stop following names.
    if (change.kind === 'unknown') {
      this.tables.clear();
      this.columns.clear();
      return;
    }
    const table = change.target?.table;
    if (!table) return;
    const tableKey = displayName(table);
    // Only a creation whose rollback drops something counts: IF NOT EXISTS over an existing object created
    // nothing. A temporary table goes with the session.
    const details = change.details as { temporary?: boolean; parents?: QualifiedName[]; to?: string; from?: string; newSchema?: string };
    const temporary = details.temporary === true;
    const created = assessment.verdict === 'safe' && (assessment.rollback.length > 0 || temporary) && !change.unresolved;
    if (change.kind === 'add_table') {
      this.forgetTable(tableKey);
      if (created) {
        this.tables.set(tableKey, change);
        if (details.parents?.length) this.parents.set(tableKey, details.parents);
      }
    }
    if (change.kind === 'add_column') {
      for (const column of change.target?.columns ?? []) {
        if (created) this.columns.set(`${tableKey}.${column}`, change);
        else this.columns.delete(`${tableKey}.${column}`);
      }
    }
    if (change.kind === 'drop_table') this.forgetTable(tableKey);
    if (change.kind === 'drop_column') for (const column of change.target?.columns ?? []) this.columns.delete(`${tableKey}.${column}`);
    if (change.kind === 'rename_table' && details.to) this.moveTable(tableKey, displayName({ schema: table.schema, name: details.to }));
    if (change.kind === 'alter_object' && details.newSchema) this.moveTable(tableKey, displayName({ schema: details.newSchema, name: table.name }));
    if (change.kind === 'rename_column' && details.from && details.to) {
      const creator = this.columns.get(`${tableKey}.${details.from}`);
      this.columns.delete(`${tableKey}.${details.from}`);
      // The new name now means this column, created or not.
      if (creator) this.columns.set(`${tableKey}.${details.to}`, creator);
      else this.columns.delete(`${tableKey}.${details.to}`);
    }
  }

  /** A table (and its columns) now known by another name; whatever had that name before is gone from it. */
  private moveTable(from: string, to: string): void {
    const creator = this.tables.get(from);
    const movedColumns = [...this.columns].filter(([key]) => key.startsWith(`${from}.`));
    this.forgetTable(to);
    this.forgetTable(from);
    if (creator) this.tables.set(to, creator);
    for (const [key, columnCreator] of movedColumns) this.columns.set(`${to}${key.slice(from.length)}`, columnCreator);
  }

  private forgetTable(key: string): void {
    this.tables.delete(key);
    for (const column of [...this.columns.keys()]) if (column.startsWith(`${key}.`)) this.columns.delete(column);
  }

  private recordFiring(change: Change): void {
    const details = change.details as { what?: string; references?: QualifiedName; referentialActions?: boolean; name?: string };
    const table = change.target?.table;
    if (change.kind === 'create_object' && table && (details.what === 'trigger' || details.what === 'rule')) {
      const key = displayName(table);
      this.firing.set(key, [...(this.firing.get(key) ?? []), `${details.what} ${details.name ?? change.object} (created by this migration, line ${change.position.line}) fires on it`]);
    }
    for (const referenced of change.referencedWithActions ?? []) {
      const key = displayName(referenced);
      this.cascading.set(key, [...(this.cascading.get(key) ?? []), `a foreign key declared at line ${change.position.line} cascades changes of ${referenced.name} into the referencing table`]);
    }
  }

  /** What fires besides a data change: triggers, rules, cascading foreign keys. */
  private sideEffectsOf(change: Change, table: QualifiedName, tableCreated: boolean): string[] {
    const { operation = '', columns = [], cascade = false } = change.details as DataChangeDetails;
    const events = EVENTS[operation] ?? ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'];
    const key = displayName(table);
    const found = [...(this.firing.get(key) ?? [])];
    if (events.some((event) => event !== 'INSERT')) found.push(...(this.cascading.get(key) ?? []));
    if (cascade) found.push(`TRUNCATE … CASCADE also empties the tables that reference ${table.name}`);
    // The catalog's triggers and rules: on the table itself when it existed before, and on the tables it
    // inherits from (a partition gets its parent's row triggers) or that inherit from it (UPDATE reaches them).
    const related = tableCreated ? (this.parents.get(key) ?? []) : [table];
    if (related.length === 0) return found;
    if (!this.prior) {
      found.push(`the triggers and rules of ${related.map((name) => name.name).join(', ')} are unknown without the prior schema`);
      return found;
    }
    if (!this.prior.rules) found.push('the prior schema was read without its rules, so rules that may fire are unknown');
    const relatives = relativesOf(this.prior, related, !tableCreated);
    for (const trigger of Object.values(this.prior.triggers)) {
      if (relatives.has(trigger.table) && triggerFires(trigger, events, columns)) found.push(`trigger ${trigger.name} on ${trigger.table} fires (${trigger.definition})`);
    }
    for (const rule of Object.values(this.prior.rules ?? {})) {
      if (relatives.has(rule.table) && ruleFires(rule, events)) found.push(`rule ${rule.name} on ${rule.table} fires (${rule.definition.trim()})`);
    }
    return found;
  }
}

/** The snapshot keys of the given tables, their ancestors, and (for changes that reach them) their descendants. */
function relativesOf(prior: SchemaSnapshot, tables: QualifiedName[], descendants: boolean): Set<string> {
  const keys = new Set<string>();
  const add = (key: string) => {
    if (keys.has(key)) return;
    keys.add(key);
    const info = prior.tables[key];
    for (const parent of [...(info?.inherits ?? []), ...(info?.partitionOf ? [info.partitionOf] : [])]) add(parent);
    if (descendants) {
      for (const child of Object.values(prior.tables)) {
        if (child.inherits.includes(key) || child.partitionOf === key) add(snapshotKey(child));
      }
    }
  };
  for (const table of tables) add(snapshotKey(table));
  return keys;
}

function snapshotKey(table: QualifiedName): string {
  return qualifiedName(table.schema, table.name);
}

/**
 * Whether a trigger fires for these events: read from `pg_get_triggerdef()`. A disabled trigger, or one that
 * fires only on replicas, does not; `UPDATE OF a, b` fires only when the change sets one of those columns.
 * What cannot be read counts as firing.
 */
export function triggerFires(trigger: TriggerInfo, events: string[], columns: string[]): boolean {
  if (trigger.enabled === 'disabled' || trigger.enabled === 'replica') return false;
  const match = / (?:BEFORE|AFTER|INSTEAD OF) (.+?) ON /.exec(trigger.definition);
  if (!match) return true;
  return match[1]!.split(' OR ').some((event) => {
    const [name, ofColumns] = event.split(' OF ');
    if (!events.includes(name!.trim())) return false;
    if (!ofColumns || columns.length === 0) return true;
    const listed = ofColumns.split(',').map((column) => column.trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"'));
    return listed.some((column) => columns.includes(column));
  });
}

function ruleFires(rule: TableRuleInfo, events: string[]): boolean {
  if (rule.enabled === 'disabled' || rule.enabled === 'replica') return false;
  const match = / AS\s+ON (SELECT|INSERT|UPDATE|DELETE) TO /.exec(rule.definition);
  return !match || events.includes(match[1]!);
}

export function undoneAssessment({ undoer, leftBehind }: Undo, evidence: Assessment['evidence']): Assessment {
  const what = undoer.kind === 'add_table' ? 'table' : 'column';
  if (leftBehind.length > 0) {
    return {
      verdict: 'risky',
      evidence,
      reason: `Dropping the ${what} ${undoer.object} that this migration creates (line ${undoer.position.line}) undoes this change, but not what it sets off: ${leftBehind.join('; ')}.`,
      rollback: [],
    };
  }
  return {
    verdict: 'safe',
    evidence,
    reason: `Undone with the ${what} ${undoer.object} that this migration creates (line ${undoer.position.line}): its rollback drops it, and this change with it.`,
    rollback: [],
  };
}
