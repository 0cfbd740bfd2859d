import type { AlterTableCmd } from 'libpg-query';
import { assessDefaultChange, recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { defineRule } from '../rule.js';

export const setDefault = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'set-default',
  kind: 'set_default',
  readsPrior: true,
  title: 'SET DEFAULT',
  explain: `SET DEFAULT changes the value future inserts get; no stored data changes. It is rolled back by
restoring the previous default (or DROP DEFAULT if there was none), which only the prior schema shows:
without it, the rollback cannot be written and the change is risky. The rollback runs before the old
application version is deployed, since that version may rely on the old default.`,
  examples: [
    { sql: "ALTER TABLE users ALTER COLUMN role SET DEFAULT 'member';", verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_ColumnDefault'],
  recognise: (command, context) => (command.def ? recogniseColumnCommand(command, context) : undefined),
  assess: ({ details }, { prior }) => assessDefaultChange(details, prior, 'changes'),
});
