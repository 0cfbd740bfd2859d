import type { AlterTableCmd } from 'libpg-query';
import { qualify } from '../ast.js';
import { displayName, quoteIdent, sqlName } from '../naming.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { QualifiedName } from '../types.js';

interface DropNotNull {
  table: QualifiedName;
  relationKind: string | undefined;
  column: string;
}

export const dropNotNull = defineRule<AlterTableCmd, DropNotNull>({
  id: 'drop-not-null',
  kind: 'drop_not_null',
  title: 'DROP NOT NULL',
  explain: `DROP NOT NULL is rolled back by SET NOT NULL. Right after the migration no NULL has been written,
so that works; once the new application writes NULLs into the column, SET NOT NULL fails until they are
replaced (the data check "are there NULLs?" decides). The inverse assumes the column was NOT NULL
before the migration; the prior schema confirms it.`,
  on: ['AlterTableCmd:AT_DropNotNull'],
  recognise(command, context) {
    if (!command.name) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return {
      object: displayName(table, command.name),
      details: { table, relationKind: context.alterTable?.objtype, column: command.name },
      target: { table, columns: [command.name] },
    };
  },
  assess({ details }) {
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `${details.column} becomes nullable; SET NOT NULL undoes it while no NULL has been written (the data check decides once the application writes).`,
      rollback: [
        step(`${alterRelation(details.relationKind)} ${sqlName(details.table)} ALTER COLUMN ${quoteIdent(details.column)} SET NOT NULL;`, 'after-app'),
      ],
    };
  },
});
