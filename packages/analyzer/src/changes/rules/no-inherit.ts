import type { AlterTableCmd, RangeVar } from 'libpg-query';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { QualifiedName } from '../../sql/name.js';

interface NoInherit {
  child: QualifiedName;
  parent: QualifiedName;
  relationKind: string | undefined;
}

export const noInherit = defineRule<AlterTableCmd, NoInherit>({
  id: 'no-inherit',
  kind: 'alter_object',
  readsPrior: false,
  title: 'Removed inheritance (NO INHERIT)',
  explain: `ALTER TABLE child NO INHERIT parent ends the inheritance, and makes every column (and CHECK
constraint) the child had only through the parent a column of its own (pg_attribute.attislocal). INHERIT
parent restores the inheritance but not that flag: afterwards, dropping a column from the parent no longer
drops it from the child, and the child keeps columns the parent loses. The rollback is INHERIT, and the
change is risky: the schema does not come back exactly.`,
  examples: [
    { sql: 'ALTER TABLE child NO INHERIT base;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_DropInherit'],
  recognise(command, context) {
    const child = qualify(context.alterTable?.relation, context.defaultSchema);
    const parent = qualify(payload<RangeVar>(command.def, 'RangeVar'), context.defaultSchema);
    return { object: displayName(child), details: { child, parent, relationKind: context.alterTable?.objtype }, target: { table: child } };
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `NO INHERIT makes the columns ${displayName(details.child)} had only through ${displayName(details.parent)} its own; INHERIT restores the inheritance but not that: later changes to the parent's columns no longer reach the child.`,
      rollback: [step(`${alterRelation(details.relationKind)} ${sqlName(details.child)} INHERIT ${sqlName(details.parent)};`, 'before-app')],
    };
  },
});
