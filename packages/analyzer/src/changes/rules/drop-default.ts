import type { AlterTableCmd } from 'libpg-query';
import { assessDefaultChange, recogniseColumnCommand, type ColumnCommand } from '../column-command.js';
import { defineRule } from '../rule.js';

export const dropDefault = defineRule<AlterTableCmd, ColumnCommand>({
  id: 'drop-default',
  kind: 'drop_default',
  readsPrior: true,
  title: 'DROP DEFAULT',
  explain: `DROP DEFAULT removes the value future inserts get; no stored data changes. It is rolled back by
SET DEFAULT with the previous expression, which only the prior schema shows: without it, the rollback
cannot be written and the change is risky. The old application version may rely on the default when it
inserts, so the rollback runs before it is deployed.`,
  examples: [
    { sql: 'ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_ColumnDefault'],
  recognise: (command, context) => (!command.def ? recogniseColumnCommand(command, context) : undefined),
  assess: ({ details }, { prior }) => assessDefaultChange(details, prior, 'is dropped'),
});
