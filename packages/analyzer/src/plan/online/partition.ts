/**
 * Partitions and inheritance put back or taken apart, each run only while it is still to do (Postgres has no
 * IF [NOT] EXISTS for them): ATTACH / DETACH PARTITION, INHERIT / NO INHERIT. ATTACH scans the partition to
 * check its bound unless a matching CHECK constraint proves it; the lock is SHARE UPDATE EXCLUSIVE on the parent
 * and ACCESS EXCLUSIVE on the partition. DETACH (not CONCURRENTLY) takes ACCESS EXCLUSIVE on both, briefly.
 */
import type { PartitionCmd, RangeVar } from 'libpg-query';
import { singleAlter } from './alter-table.js';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { bare, guarded, regclass, relationSql } from './sql.js';

function inherits(child: string, parent: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_inherits WHERE inhrelid = ${regclass(child)} AND inhparent = ${regclass(parent)})`;
}

export const partition: OnlineForm = {
  kind: 'ATTACH / DETACH PARTITION, INHERIT / NO INHERIT',
  online(statement) {
    const text = bare(statement.text);
    for (const subtype of ['AT_AttachPartition', 'AT_DetachPartition']) {
      const alter = singleAlter(statement, subtype);
      const child = relationSql((alter?.command.def as { PartitionCmd?: PartitionCmd } | undefined)?.PartitionCmd?.name);
      if (!alter || !child) continue;
      const attach = subtype === 'AT_AttachPartition';
      const guard = attach ? `NOT ${inherits(child, alter.table)}` : inherits(child, alter.table);
      return [
        {
          sql: guarded(guard, text),
          transactional: true,
          lock: attach ? `${LOCKS.shareUpdateExclusive} on ${alter.table}, ${LOCKS.accessExclusive} on ${child}` : `${LOCKS.accessExclusive} on ${alter.table} and ${child}`,
          effect: attach ? `scans ${child} to check its bound unless a CHECK constraint proves it; the parent stays writable` : BRIEF,
          scans: attach,
        },
      ];
    }
    for (const subtype of ['AT_AddInherit', 'AT_DropInherit']) {
      const alter = singleAlter(statement, subtype);
      const parent = relationSql((alter?.command.def as { RangeVar?: RangeVar } | undefined)?.RangeVar);
      if (!alter || !parent) continue;
      const guard = subtype === 'AT_AddInherit' ? `NOT ${inherits(alter.table, parent)}` : inherits(alter.table, parent);
      return [{ sql: guarded(guard, text), transactional: true, lock: `${LOCKS.accessExclusive} on ${alter.table} and ${parent}`, effect: BRIEF, scans: false }];
    }
    return undefined;
  },
};
