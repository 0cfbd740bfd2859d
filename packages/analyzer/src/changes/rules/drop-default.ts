import type { AlterTableCmd } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN } from '../rule.js';
import type { QualifiedName } from '../types.js';

interface DropDefault {
  table: QualifiedName;
  column: string;
}

export const dropDefault = defineRule<AlterTableCmd, DropDefault>({
  id: 'drop-default',
  kind: 'drop_default',
  title: 'DROP DEFAULT',
  explain: `DROP DEFAULT removes the value future inserts get; no stored data changes. It is rolled back by
SET DEFAULT with the previous expression, which only the prior schema shows: without it, the rollback
cannot be written and the change is risky. The old application version may rely on the default when it
inserts, so the rollback runs before it is deployed.`,
  on: ['AlterTableCmd:AT_ColumnDefault'],
  recognise(command, context) {
    if (!command.name || command.def) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return { object: displayName(table, command.name), details: { table, column: command.name }, target: { table, columns: [command.name] } };
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `The default of ${details.column} is dropped; no stored data changes, but ${PRIOR_STATE_UNKNOWN}, so SET DEFAULT cannot be written.`,
      rollback: [],
    };
  },
});
