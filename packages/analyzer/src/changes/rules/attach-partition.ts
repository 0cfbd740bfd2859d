import type { AlterTableCmd, PartitionCmd } from 'libpg-query';
import { findTable } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface AttachPartition {
  parent: QualifiedName;
  partition: QualifiedName;
  /** ALTER INDEX … ATTACH PARTITION: an index partition, which cannot be detached. */
  index: boolean;
}

export const attachPartition = defineRule<AlterTableCmd, AttachPartition>({
  id: 'attach-partition',
  kind: 'alter_object',
  readsPrior: true,
  title: 'Attached partition',
  explain: `ALTER TABLE … ATTACH PARTITION makes a table a partition of a partitioned table. Postgres does more
than that: it attaches the partition's matching indexes to the parent's partitioned indexes, creates the
ones that are missing, and clones the parent's foreign keys and row triggers onto the partition. DETACH
PARTITION undoes the attachment, but leaves the created indexes and the cloned foreign keys on the table.
So DETACH restores the schema exactly only when the parent has no index, foreign key or trigger (the prior
schema shows it): safe; otherwise risky, with DETACH as the rollback and the leftovers named.
ALTER INDEX … ATTACH PARTITION cannot be undone at all (an index partition cannot be detached; only dropping
the parent index does): risky.`,
  examples: [
    { sql: 'ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_AttachPartition'],
  recognise(command, context) {
    const parent = qualify(context.alterTable?.relation, context.defaultSchema);
    const partition = qualify(payload<PartitionCmd>(command.def, 'PartitionCmd')?.name, context.defaultSchema);
    const index = context.alterTable?.objtype === 'OBJECT_INDEX';
    return { object: displayName(partition), details: { parent, partition, index }, ...(index ? {} : { target: { table: parent } }) };
  },
  assess({ details }, { prior }): Assessment {
    const what = `Attaching ${displayName(details.partition)} to ${displayName(details.parent)}`;
    if (details.index) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `${what}: an attached index partition cannot be detached; only dropping ${displayName(details.parent)} (and recreating it) undoes this.`,
        rollback: [],
      };
    }
    const detach = step(`${alterRelation('OBJECT_TABLE')} ${sqlName(details.parent)} DETACH PARTITION ${sqlName(details.partition)};`, 'before-app');
    if (!prior || !findTable(prior, details.parent)) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `${what} also attaches or creates the parent's indexes on the partition and clones its foreign keys; DETACH leaves those behind, and ${prior ? 'the parent is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so what they are is unknown.`,
        rollback: [detach],
      };
    }
    const leftBehind = inheritedByPartitions(prior, details.parent);
    if (leftBehind.length > 0) {
      return {
        verdict: 'risky',
        evidence: 'catalog',
        reason: `${what} also puts the parent's ${leftBehind.join(', ')} on the partition; DETACH PARTITION leaves the created indexes and cloned foreign keys behind, so the schema does not come back exactly.`,
        rollback: [detach],
      };
    }
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `${what}: the parent has no index, foreign key or trigger to put on the partition, so DETACH PARTITION restores the schema exactly. No data changes.`,
      rollback: [detach],
    };
  },
});

/** What ATTACH PARTITION copies from the parent onto a partition: partitioned indexes, foreign keys, row triggers. */
function inheritedByPartitions(prior: SchemaSnapshot, parent: QualifiedName): string[] {
  const key = qualifiedName(parent.schema, parent.name);
  return [
    ...Object.values(prior.indexes).filter((index) => index.table === key).map((index) => `index ${index.name}`),
    ...Object.values(prior.constraints).filter((constraint) => constraint.table === key && constraint.type === 'foreign key').map((constraint) => `foreign key ${constraint.name}`),
    ...Object.values(prior.triggers).filter((trigger) => trigger.table === key).map((trigger) => `trigger ${trigger.name}`),
  ];
}
