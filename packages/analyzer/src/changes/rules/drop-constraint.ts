import type { AlterTableCmd } from 'libpg-query';
import { addConstraint, commentOn } from '../../catalog/ddl.js';
import { findConstraint, referencingForeignKeys, tableOf } from '../../catalog/lookup.js';
import type { ConstraintInfo } from '../../catalog/snapshot.js';
import { ask, howDecided, unanswered } from '../data.js';
import { qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step, type DataProbes, type Finding } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface DropConstraint {
  table: QualifiedName;
  relationKind: string | undefined;
  name: string;
  cascade: boolean;
  ifExists: boolean;
}

export const dropConstraint = defineRule<AlterTableCmd, DropConstraint>({
  id: 'drop-constraint',
  kind: 'drop_constraint',
  readsPrior: true,
  probes: ['duplicatesPresent', 'orphansPresent', 'checkViolated'],
  title: 'Dropped constraint',
  explain: `A dropped constraint is rolled back by adding it again, with its definition as it was before the
migration (pg_get_constraintdef of the prior schema); without that definition the rollback cannot be
written: risky. Adding it back fails if rows written after the drop violate it: NULLs under a primary
key, duplicates under a unique key, orphans under a foreign key, rows failing a check. The data checks
find them. CASCADE also drops the foreign keys that depend on a unique or primary key.`,
  examples: [
    { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_DropConstraint'],
  recognise(command, context) {
    if (!command.name) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    return {
      object: `${displayName(table)}.${command.name}`,
      details: {
        table,
        relationKind: context.alterTable?.objtype,
        name: command.name,
        cascade: command.behavior === 'DROP_CASCADE',
        ifExists: command.missing_ok === true,
      },
      target: { table },
    };
  },
  dataCheck({ details }, state, probes, { prior }) {
    const constraint = prior ? findConstraint(prior, details.table, details.name) : undefined;
    if (state !== 'applied' || !constraint) return undefined;
    // Adding it back checks every row: would any row written since fail it?
    return ask(`Do rows violate ${details.name}?`, violations(probes, details.table, constraint));
  },
  assess({ details }, { prior, data }) {
    const cascade = details.cascade ? ' CASCADE may also drop foreign keys of other tables that depend on it.' : '';
    const constraint = prior ? findConstraint(prior, details.table, details.name) : undefined;
    if (prior && !constraint && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${details.name} did not exist before this migration: DROP CONSTRAINT IF EXISTS did nothing.`, rollback: [] };
    }
    if (!constraint || !prior) {
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `Constraint ${details.name} is dropped; ${prior ? 'it is not in the prior schema' : PRIOR_STATE_UNKNOWN}, so the statement that adds it back cannot be written.${cascade}`,
        rollback: [],
      };
    }
    // CASCADE on a key also dropped the foreign keys that reference it: add them back after the key.
    const dependents = details.cascade ? referencingForeignKeys(prior, details.table, constraint) : [];
    const rollback = [
      step(addConstraint(details.table, constraint), 'before-app'),
      ...(constraint.comment !== null ? [step(commentOn('CONSTRAINT', `${quoteIdent(constraint.name)} ON ${sqlName(details.table)}`, constraint.comment), 'before-app')] : []),
      ...dependents.map((fk) => step(addConstraint(tableOf(fk), fk), 'before-app')),
    ];
    if (data && data.finding.answer !== 'no') {
      return {
        verdict: 'risky',
        evidence: 'data',
        reason: data.finding.answer === 'yes' ? `Rows violate ${details.name} (${howDecided(data)}): adding it back fails until they are fixed.` : unanswered(data),
        rollback,
      };
    }
    return {
      verdict: 'safe',
      evidence: data ? 'data' : 'catalog',
      reason: data
        ? `Constraint ${details.name} is added back from its prior definition, and no row violates it (${howDecided(data)}).`
        : `Constraint ${details.name} is added back from its prior definition; no data was lost. Adding it back fails once rows that violate it are written (the data check finds them).`,
      rollback,
    };
  },
});

/** The probe for a constraint's kind, from its pg_get_constraintdef text. */
function violations(probes: DataProbes, table: QualifiedName, constraint: ConstraintInfo): Promise<Finding> {
  const columns = (list: string) => list.split(', ').map((column) => (column.startsWith('"') ? column.slice(1, -1).replace(/""/g, '"') : column));
  const key = /^(?:PRIMARY KEY|UNIQUE(?: NULLS NOT DISTINCT)?) \((.*?)\)/.exec(constraint.definition);
  if (key) return probes.duplicatesPresent(table, columns(key[1]!));
  const foreign = /^FOREIGN KEY \((.*?)\) REFERENCES (.*?)\((.*?)\)/.exec(constraint.definition);
  if (foreign) {
    const [schema, name] = splitQualified(foreign[2]!);
    return probes.orphansPresent(table, columns(foreign[1]!), { schema, name }, columns(foreign[3]!));
  }
  if (constraint.definition.startsWith('CHECK')) return probes.checkViolated(table, constraint.definition);
  return Promise.resolve({ answer: 'unknown', method: 'missing', ms: 0, detail: `no data check for ${constraint.type} constraints` });
}

function splitQualified(name: string): [string, string] {
  const parts = name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [name];
  const unquote = (part: string) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part);
  return parts.length >= 2 ? [unquote(parts[0]!), unquote(parts[1]!)] : ['public', unquote(parts[0]!)];
}
