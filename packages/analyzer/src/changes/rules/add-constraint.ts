import type { AlterTableCmd, Constraint } from 'libpg-query';
import { createIndex } from '../../catalog/ddl.js';
import { chosenConstraint, findColumn, findIndex } from '../../catalog/lookup.js';
import { payload, qualify, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { alterRelation } from '../sql.js';
import type { Assessment } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddConstraint {
  table: QualifiedName;
  relationKind: string | undefined;
  name: string | undefined;
  type: string;
  /** ADD … USING INDEX: the constraint takes over an index that existed before. */
  usingIndex: string | undefined;
  columns: string[];
}

/** The constraint types as the schema snapshot names them. */
const SNAPSHOT_TYPES: Record<string, string> = {
  CONSTR_PRIMARY: 'primary key',
  CONSTR_UNIQUE: 'unique',
  CONSTR_FOREIGN: 'foreign key',
  CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'exclusion',
};

const CONSTRAINT_WORDS: Record<string, string> = {
  CONSTR_PRIMARY: 'primary key',
  CONSTR_UNIQUE: 'unique constraint',
  CONSTR_FOREIGN: 'foreign key',
  CONSTR_CHECK: 'check constraint',
  CONSTR_EXCLUSION: 'exclusion constraint',
  CONSTR_NOTNULL: 'not-null constraint',
};

export const addConstraint = defineRule<AlterTableCmd, AddConstraint>({
  id: 'add-constraint',
  kind: 'add_constraint',
  readsPrior: true,
  title: 'Added constraint',
  explain: `An added constraint (check, unique, foreign key, exclusion, primary key) is rolled back by
ALTER TABLE … DROP CONSTRAINT, before the old application version is deployed (the old version may write
rows the constraint rejects). Dropping a constraint loses no data.
It is risky when the rollback cannot name the constraint (ADD CHECK/UNIQUE/FOREIGN KEY without
CONSTRAINT name: Postgres picks one), when it takes over an existing index (ADD … USING INDEX: dropping
the constraint drops that index too), and for a primary key, which also makes its columns NOT NULL:
dropping the key leaves them NOT NULL, and whether they were nullable before needs the prior schema.`,
  examples: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);', verdict: 'safe' },
    { sql: 'ALTER TABLE orders ADD CHECK (total > 0);', verdict: 'risky' },
  ],
  on: ['AlterTableCmd:AT_AddConstraint'],
  recognise(command, context) {
    const constraint = payload<Constraint>(command.def, 'Constraint');
    if (!constraint?.contype) return undefined;
    const table = qualify(context.alterTable?.relation, context.defaultSchema);
    const name = constraint.conname;
    return {
      object: name ? `${displayName(table)}.${name}` : displayName(table),
      details: {
        table,
        relationKind: context.alterTable?.objtype,
        name,
        type: constraint.contype,
        usingIndex: constraint.indexname,
        columns: strings(constraint.keys ?? constraint.fk_attrs),
      },
      target: { table },
      ...(constraint.location !== undefined ? { locationByte: constraint.location } : {}),
    };
  },
  assess(change, context): Assessment {
    const { prior } = context;
    const before = prior ?? context.existedBefore;
    const words = CONSTRAINT_WORDS[change.details.type] ?? 'constraint';
    // Postgres chose the name: once the migration ran (a shadow copy it was applied to, or the target when it is
    // applied there), the catalog shows it.
    const after = context.after ?? (context.state === 'applied' ? context.target : undefined);
    const snapshotType = SNAPSHOT_TYPES[change.details.type];
    const chosen =
      !change.details.name && after && before && snapshotType
        ? chosenConstraint(after, before, { table: change.details.table, constraintType: snapshotType, ...(change.details.type === 'CONSTR_CHECK' ? {} : { columns: change.details.columns }) })
        : undefined;
    const details = chosen ? { ...change.details, name: chosen.name } : change.details;
    if (!details.name) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `The ${words} on ${details.table.name} has no name: Postgres chooses one, so the rollback cannot name it. Add it as CONSTRAINT <name>.`,
        rollback: [],
      };
    }
    const alter = `${alterRelation(details.relationKind)} ${sqlName(details.table)}`;
    const drop = step(`${alter} DROP CONSTRAINT ${quoteIdent(details.name)};`, 'before-app');
    if (details.usingIndex) {
      // Dropping the constraint drops the index it took over, which existed before: rebuild it.
      const index = prior ? findIndex(prior, { schema: details.table.schema, name: details.usingIndex }) : undefined;
      if (!index) {
        return {
          verdict: 'risky',
          evidence: prior ? 'catalog' : 'static',
          reason: `${details.name} takes over index ${details.usingIndex}, which existed before; dropping the constraint drops that index too, and its definition is ${prior ? 'not in the prior schema' : 'unknown'}.`,
          rollback: [drop],
        };
      }
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `${details.name} took over index ${details.usingIndex}: dropping the constraint drops the index, which is rebuilt from its prior definition. No data is lost.`,
        rollback: [drop, step(createIndex(index), 'before-app')],
      };
    }
    if (details.type === 'CONSTR_PRIMARY') {
      // A primary key makes its columns NOT NULL, and dropping it leaves them so.
      const columns = prior ? details.columns.map((column) => ({ column, info: findColumn(prior, details.table, column) })) : [];
      if (!prior || columns.some(({ info }) => !info)) {
        return {
          verdict: 'risky',
          evidence: prior ? 'catalog' : 'static',
          reason: `Primary key ${details.name} also makes ${details.columns.join(', ') || 'its columns'} NOT NULL, and dropping it leaves them so; whether they were nullable before is ${prior ? 'not in the prior schema' : 'not known from the statement'}.`,
          rollback: [drop],
        };
      }
      const relax = columns
        .filter(({ info }) => info && !info.notNull)
        .map(({ column }) => step(`${alter} ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL;`, 'before-app'));
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `New primary key ${details.name}: dropping it loses no data${relax.length > 0 ? ', and the columns it made NOT NULL become nullable again' : ''}.`,
        rollback: [drop, ...relax],
      };
    }
    return {
      verdict: 'safe',
      evidence: chosen ? 'catalog' : 'static',
      reason: `New ${words} ${details.name}${chosen ? ' (the name Postgres chose, read from the database)' : ''}: dropping it loses no data. Drop it before deploying the old application version, which may write rows it rejects.`,
      rollback: [drop],
    };
  },
});
