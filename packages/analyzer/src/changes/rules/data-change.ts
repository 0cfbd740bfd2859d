import type { CopyStmt, DeleteStmt, InsertStmt, MergeStmt, Node, ResTarget, TruncateStmt, UpdateStmt } from 'libpg-query';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule } from '../rule.js';
import type { Assessment, ChangeDraft } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

type Operation = 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'INSERT' | 'INSERT … ON CONFLICT DO UPDATE' | 'MERGE' | 'COPY FROM';

interface DataChange {
  operation: Operation;
  table: QualifiedName;
  /** For UPDATE: the columns it sets. */
  columns: string[];
  /** TRUNCATE … CASCADE: also empties the tables that reference it. */
  cascade?: boolean;
}

const BACKUP_FIRST = 'Back up the affected rows before the migration runs (for example CREATE TABLE backup AS SELECT … with the same WHERE), so they can be restored';

export const dataChange = defineRule<Record<string, unknown>, DataChange>({
  id: 'data-change',
  kind: 'data_change',
  readsPrior: false,
  title: 'Data change (UPDATE, DELETE, TRUNCATE, INSERT, MERGE, COPY)',
  explain: `A migration that changes rows cannot be undone by a schema statement. UPDATE overwrites the
previous values, DELETE and TRUNCATE remove rows, MERGE and INSERT … ON CONFLICT DO UPDATE do both:
unless the affected rows were backed up before the migration ran, the old values are gone, so these are
irreversible (forward fix only: restore from a backup, accept the change, or recreate from logs).
INSERT and COPY FROM add rows that stay after a schema rollback; removing them needs a key that identifies
them: risky.
A data change that only touches what the same migration created (a backfill of a column it added, rows
inserted into a table it created) is undone when that column or table is dropped, and is safe, but only when
nothing else fires: no trigger or rule on the table (from the prior schema, or created by the migration), no
foreign key that cascades from it, no function with side effects (nextval, user functions) in the statement.
Without the prior schema, the triggers and rules of a table that existed before are unknown: a backfill of
it is risky. A data-modifying CTE (WITH d AS (DELETE …) SELECT …), EXPLAIN ANALYZE of a data change and
COPY (DELETE … RETURNING …) TO … are data changes of their own, whatever the outer statement.
A change to a temporary table of the migration disappears with its session: safe.`,
  examples: [
    { sql: 'UPDATE users SET email = lower(email);', verdict: 'irreversible' },
    { sql: "INSERT INTO settings (key, value) VALUES ('theme', 'dark');", verdict: 'risky' },
  ],
  on: ['UpdateStmt', 'DeleteStmt', 'TruncateStmt', 'InsertStmt', 'MergeStmt', 'CopyStmt'],
  recognise(node, context): ChangeDraft<DataChange> | ChangeDraft<DataChange>[] | undefined {
    const schema = context.defaultSchema;
    const make = (operation: Operation, relation: Parameters<typeof qualify>[0], columns: string[] = []): ChangeDraft<DataChange> => {
      const table = qualify(relation, schema);
      return {
        object: displayName(table),
        details: { operation, table, columns },
        target: { table, ...(columns.length > 0 ? { columns } : {}) },
      };
    };
    switch (context.statement.tag) {
      case 'UpdateStmt': {
        const update = node as UpdateStmt;
        const columns = (update.targetList ?? []).map((target: Node) => payload<ResTarget>(target, 'ResTarget')?.name ?? '');
        return make('UPDATE', update.relation, [...new Set(columns)]);
      }
      case 'DeleteStmt':
        return make('DELETE', (node as DeleteStmt).relation);
      case 'TruncateStmt':
        return ((node as TruncateStmt).relations ?? []).map((relation) => {
          const truncate = make('TRUNCATE', payload(relation, 'RangeVar'));
          return (node as TruncateStmt).behavior === 'DROP_CASCADE' ? { ...truncate, details: { ...truncate.details, cascade: true } } : truncate;
        });
      case 'InsertStmt': {
        const insert = node as InsertStmt;
        const upsert = insert.onConflictClause?.action === 'ONCONFLICT_UPDATE';
        return make(upsert ? 'INSERT … ON CONFLICT DO UPDATE' : 'INSERT', insert.relation);
      }
      case 'MergeStmt':
        return make('MERGE', (node as MergeStmt).relation);
      default: {
        const copy = node as CopyStmt;
        // COPY … TO only reads.
        if (!copy.is_from || !copy.relation) return undefined;
        return make('COPY FROM', copy.relation);
      }
    }
  },
  assess({ details }): Assessment {
    const name = details.table.name;
    if (details.table.schema === 'pg_temp') {
      return {
        verdict: 'safe',
        evidence: 'static',
        reason: `${details.operation} changes only the temporary table ${name}, which disappears with the migration's session: nothing to roll back.`,
        rollback: [],
      };
    }
    if (details.operation === 'INSERT' || details.operation === 'COPY FROM') {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `${details.operation} adds rows to ${name} that stay after a schema rollback; removing them needs a key that identifies exactly these rows.`,
        rollback: [],
      };
    }
    const what =
      details.operation === 'UPDATE'
        ? `overwrites ${details.columns.length > 0 ? details.columns.join(', ') : 'values'} in ${name}`
        : details.operation === 'DELETE' || details.operation === 'TRUNCATE'
          ? `removes rows from ${name}`
          : `overwrites or removes rows of ${name}`;
    return {
      verdict: 'irreversible',
      evidence: 'static',
      reason: `${details.operation} ${what}: the previous data is gone once the migration runs, unless it was backed up first. Forward fix only.`,
      rollback: [],
      options: [BACKUP_FIRST, 'Restore from backup', 'Accept the data change and fix forward', 'Recreate the previous values from logs'],
    };
  },
});
