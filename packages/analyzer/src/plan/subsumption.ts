/**
 * Changes undone by another change of the same migration. A migration that creates a table and then
 * indexes it, or adds a column and backfills it, needs only the DROP TABLE / DROP COLUMN: everything
 * else it did to that table or column goes with it. Within one migration no application writes in
 * between, so this is exact. Only a creation whose own rollback is safe and unconditional counts
 * (not IF NOT EXISTS, which may not have created anything).
 */
import { displayName } from '../changes/naming.js';
import type { Assessment, Change, ChangeKind } from '../changes/types.js';

/**
 * Kinds never undone by a table's DROP: a table rename must be reversed so the DROP finds the table,
 * and a table created and dropped in one migration leaves nothing for the DROP to find.
 */
const NEVER_UNDONE: ReadonlySet<ChangeKind> = new Set(['add_table', 'drop_table', 'rename_table']);
/** Column-level kinds undone when every column they touch was added by the migration. */
const COLUMN_LEVEL: ReadonlySet<ChangeKind> = new Set([
  'alter_column_type', 'set_default', 'drop_default', 'set_not_null', 'drop_not_null', 'data_change', 'alter_object',
]);

export class CreatedObjects {
  private readonly tables = new Map<string, Change>();
  private readonly columns = new Map<string, Change>();

  /** Finds the change that undoes this one, if any. Call in migration order, then `record`. */
  undoerOf(change: Change): Change | undefined {
    const table = change.target?.table;
    if (!table) return undefined;
    const tableKey = displayName(table);
    const tableCreator = this.tables.get(tableKey);
    if (tableCreator && !NEVER_UNDONE.has(change.kind)) return tableCreator;
    const columns = change.target?.columns;
    if (COLUMN_LEVEL.has(change.kind) && columns && columns.length > 0) {
      const creators = columns.map((column) => this.columns.get(`${tableKey}.${column}`));
      if (creators.every((creator) => creator !== undefined)) return creators[0];
    }
    return undefined;
  }

  /** Remembers what a change created (when its rollback is safe) and follows renames. */
  record(change: Change, assessment: Assessment): void {
    const table = change.target?.table;
    if (!table) return;
    const tableKey = displayName(table);
    // Only a creation whose rollback drops something counts: IF NOT EXISTS over an existing object created
    // nothing. A temporary table goes with the session.
    const temporary = (change.details as { temporary?: boolean }).temporary === true;
    const created = assessment.verdict === 'safe' && (assessment.rollback.length > 0 || temporary);
    if (change.kind === 'add_table' && created) this.tables.set(tableKey, change);
    if (change.kind === 'add_column' && created) {
      for (const column of change.target?.columns ?? []) this.columns.set(`${tableKey}.${column}`, change);
    }
    if (change.kind === 'rename_table') {
      const to = (change.details as { to?: string }).to;
      const creator = this.tables.get(tableKey);
      if (creator && to) this.tables.set(displayName({ schema: table.schema, name: to }), creator);
    }
    if (change.kind === 'rename_column') {
      const { from, to } = change.details as { from?: string; to?: string };
      const creator = this.columns.get(`${tableKey}.${from}`);
      if (creator && to) this.columns.set(`${tableKey}.${to}`, creator);
    }
  }
}

export function undoneAssessment(undoer: Change, evidence: Assessment['evidence']): Assessment {
  const what = undoer.kind === 'add_table' ? 'table' : 'column';
  return {
    verdict: 'safe',
    evidence,
    reason: `Undone with the ${what} ${undoer.object} that this migration creates (line ${undoer.position.line}): its rollback drops it, and this change with it.`,
    rollback: [],
  };
}
