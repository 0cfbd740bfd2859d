import type { AlterTableCmd } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN } from '../rule.js';
import type { QualifiedName } from '../types.js';

interface DropConstraint {
  table: QualifiedName;
  name: string;
  cascade: boolean;
}

export const dropConstraint = defineRule<AlterTableCmd, DropConstraint>({
  id: 'drop-constraint',
  kind: 'drop_constraint',
  title: 'Dropped constraint',
  explain: `A dropped constraint is rolled back by adding it again, with its definition as it was before the
migration (pg_get_constraintdef of the prior schema); without that definition the rollback cannot be
written: risky. Adding it back fails if rows written after the drop violate it: NULLs under a primary
key, duplicates under a unique key, orphans under a foreign key, rows failing a check. The data checks
find them. CASCADE also drops the foreign keys that depend on a unique or primary key.`,
  on: ['AlterTableCmd:AT_DropConstraint'],
  recognise(command, context) {
    if (!command.name) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return {
      object: `${displayName(table)}.${command.name}`,
      details: { table, name: command.name, cascade: command.behavior === 'DROP_CASCADE' },
      target: { table },
    };
  },
  assess({ details }) {
    const cascade = details.cascade ? ' CASCADE may also drop foreign keys of other tables that depend on it.' : '';
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Constraint ${details.name} is dropped; ${PRIOR_STATE_UNKNOWN}, so the statement that adds it back cannot be written.${cascade}`,
      rollback: [],
    };
  },
});
