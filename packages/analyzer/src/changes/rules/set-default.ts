import type { AlterTableCmd } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN } from '../rule.js';
import type { QualifiedName } from '../types.js';

interface SetDefault {
  table: QualifiedName;
  column: string;
}

export const setDefault = defineRule<AlterTableCmd, SetDefault>({
  id: 'set-default',
  kind: 'set_default',
  title: 'SET DEFAULT',
  explain: `SET DEFAULT changes the value future inserts get; no stored data changes. It is rolled back by
restoring the previous default (or DROP DEFAULT if there was none), which only the prior schema shows:
without it, the rollback cannot be written and the change is risky. The rollback runs before the old
application version is deployed, since that version may rely on the old default.`,
  on: ['AlterTableCmd:AT_ColumnDefault'],
  recognise(command, context) {
    if (!command.name || !command.def) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return { object: displayName(table, command.name), details: { table, column: command.name }, target: { table, columns: [command.name] } };
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `The default of ${details.column} changes; no stored data changes, but ${PRIOR_STATE_UNKNOWN}, so the previous default cannot be restored.`,
      rollback: [],
    };
  },
});
