import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule } from '../rule.js';

interface UnknownStatement {
  /** The statement tag, or `AlterTableCmd:<subtype>` for an ALTER TABLE subcommand. */
  tag: string;
}

/** The fallback: a statement no other rule understands. Never safe (DESIGN.md, principle 1). */
export const unknownStatement = defineRule<{ selector: string }, UnknownStatement>({
  id: 'unknown-statement',
  kind: 'unknown',
  readsPrior: false,
  title: 'Statement migcheck does not understand',
  explain: `Any statement, or ALTER TABLE subcommand, that no other rule recognises. migcheck does not
know what it does to the schema or the data, so it cannot build its rollback: the change is risky,
never safe. The report names the statement type; please report it so a rule can be written.`,
  examples: [
    { sql: 'CREATE DATABASE other;', verdict: 'risky' },
  ],
  // Asked by the dispatcher when no other rule recognised a statement or subcommand.
  on: [],
  recognise({ selector }, context) {
    const relation = context.alterTable?.relation;
    const object = relation ? displayName(qualify(relation, context.defaultSchema)) : `(${selector})`;
    return { object, details: { tag: selector } };
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `migcheck does not recognise this ${humanise(details.tag)}, so it cannot tell what a rollback needs.`,
      rollback: [],
    };
  },
});

function humanise(tag: string): string {
  if (tag.startsWith('AlterTableCmd:')) return `ALTER TABLE subcommand (${tag.slice('AlterTableCmd:AT_'.length)})`;
  return `statement (${tag})`;
}
