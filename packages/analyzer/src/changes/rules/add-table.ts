import type { CreateStmt, CreateTableAsStmt, RangeVar, SelectStmt } from 'libpg-query';
import { findTable } from '../../catalog/lookup.js';
import { backupTable } from '../backup.js';
import { ask, howDecided, unanswered } from '../data.js';
import { payload, qualify } from '../ast.js';
import { displayName } from '../naming.js';
import { sqlName } from '../../sql/quote.js';
import { defineRule, mayHaveExisted, step } from '../rule.js';
import type { QualifiedName } from '../../sql/name.js';

interface AddTable {
  table: QualifiedName;
  ifNotExists: boolean;
  /** CREATE TABLE AS / SELECT INTO: the table holds rows from the start. */
  createdWithRows: boolean;
  temporary: boolean;
  /** INHERITS (…) / PARTITION OF: the tables whose triggers reach this one's rows. */
  parents?: QualifiedName[];
}

export const addTable = defineRule<CreateStmt | CreateTableAsStmt | SelectStmt, AddTable>({
  id: 'add-table',
  kind: 'add_table',
  readsPrior: true,
  probes: ['tableHoldsRows'],
  title: 'Added table',
  seed: 'Added Table → Table has critical data? No data → Safe Rollback: 1. Deploy old app version 2. DROP TABLE orders. No data lost. Has data → Risky Rollback: 1. BACKUP TABLE orders 2. DROP TABLE orders 3. Deploy old app version. Data preserved in backup.',
  explain: `An added table is rolled back by deploying the old application version (it does not use the
table) and dropping the table. While the table holds no rows nothing is lost: safe. Once it holds
rows, the rollback is risky: back the table up, drop it, deploy the old application version (the data
is preserved in the backup). The data check "does the table hold rows?" decides which.

CREATE TABLE IF NOT EXISTS is risky without the prior schema (the table may have existed before, with
data the old application uses); with it, an existing table means nothing to undo. CREATE TABLE … AS and
SELECT … INTO are risky: they fill the table as they create it.
A temporary table disappears with the session: nothing to roll back.`,
  examples: [
    { sql: 'CREATE TABLE orders (id bigint PRIMARY KEY);', verdict: 'safe' },
    { sql: 'CREATE TABLE archive AS SELECT * FROM orders;', verdict: 'risky' },
  ],
  on: ['CreateStmt', 'CreateTableAsStmt', 'SelectStmt'],
  recognise(node, context) {
    if (context.statement.tag === 'CreateStmt') {
      const create = node as CreateStmt;
      const table = qualify(create.relation, context.defaultSchema);
      const created = draft(table, create.if_not_exists === true, false, create.relation?.relpersistence === 't');
      const parents = (create.inhRelations ?? []).map((parent) => qualify(payload<RangeVar>(parent, 'RangeVar'), context.defaultSchema));
      return parents.length > 0 ? { ...created, details: { ...created.details, parents } } : created;
    }
    if (context.statement.tag === 'CreateTableAsStmt') {
      const create = node as CreateTableAsStmt;
      if (create.objtype !== 'OBJECT_TABLE') return undefined;
      const table = qualify(create.into?.rel, context.defaultSchema);
      return draft(table, create.if_not_exists === true, create.into?.skipData !== true, create.into?.rel?.relpersistence === 't');
    }
    const select = node as SelectStmt;
    if (!select.intoClause) return undefined;
    const table = qualify(select.intoClause.rel, context.defaultSchema);
    return draft(table, false, true, select.intoClause.rel?.relpersistence === 't');
  },
  dataCheck: ({ details }, state, probes) =>
    // Seed: "Added Table → Table has critical data?"
    state === 'applied' && !details.temporary ? ask('Does the table hold rows?', probes.tableHoldsRows(details.table)) : undefined,
  assess({ details }, { prior, data }) {
    if (data) {
      const drop = step(`DROP TABLE ${sqlName(details.table)};`, 'after-app');
      if (data.finding.answer === 'no') {
        return {
          verdict: 'safe',
          evidence: 'data',
          reason: `${details.table.name} holds no rows (${howDecided(data)}). Seed: "No data → Safe Rollback: 1. Deploy old app version 2. DROP TABLE orders. No data lost".`,
          rollback: [drop],
        };
      }
      const backup = backupTable(details.table);
      return {
        verdict: 'risky',
        evidence: 'data',
        reason:
          data.finding.answer === 'yes'
            ? `${details.table.name} holds rows (${howDecided(data)}). Seed: "Has data → Risky Rollback: 1. BACKUP TABLE orders 2. DROP TABLE orders 3. Deploy old app version. Data preserved in backup".`
            : unanswered(data),
        rollback: [...backup.steps, drop],
        notes: [backup.restore],
      };
    }
    const drop = [step(`DROP TABLE ${sqlName(details.table)};`, 'after-app')];
    const name = details.table.name;
    if (details.ifNotExists && prior && findTable(prior, details.table)) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${name} existed before this migration, so CREATE TABLE IF NOT EXISTS did nothing: nothing to undo.`, rollback: [] };
    }
    const evidence = details.ifNotExists && prior ? 'catalog' : 'static';
    if (details.temporary) {
      return { verdict: 'safe', evidence: 'static', reason: `Temporary table ${name} disappears with the session: nothing to roll back.`, rollback: [] };
    }
    if (details.ifNotExists && !prior) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `CREATE TABLE IF NOT EXISTS: ${name} may have existed before this migration, and dropping it would destroy data the old application uses.`,
        rollback: drop,
        incomplete: mayHaveExisted(`table ${name}`),
      };
    }
    if (details.createdWithRows) {
      return {
        verdict: 'risky',
        evidence,
        reason: `Table ${name} is created with rows (CREATE TABLE … AS / SELECT … INTO): back it up before dropping it.`,
        rollback: drop,
      };
    }
    return {
      verdict: 'safe',
      evidence,
      reason: `New table ${name}: the old application does not use it. Safe to drop until it holds rows; once it does, back it up first (the data check decides).`,
      rollback: drop,
    };
  },
});

function draft(table: QualifiedName, ifNotExists: boolean, createdWithRows: boolean, temporary: boolean) {
  return {
    object: displayName(table),
    details: { table, ifNotExists, createdWithRows, temporary },
    target: { table },
  };
}
