/**
 * Re-adding a constraint without holding a blocking lock for the scan:
 *  - CHECK / FOREIGN KEY → `ADD … NOT VALID` (brief), then `VALIDATE CONSTRAINT` (SHARE UPDATE EXCLUSIVE:
 *    scans the table, writes continue). Postgres has no ADD CONSTRAINT IF NOT EXISTS: the add is guarded by a
 *    DO block that checks pg_constraint, and VALIDATE runs only while the constraint is not validated.
 *  - UNIQUE / PRIMARY KEY → a unique index built CONCURRENTLY, then `ADD CONSTRAINT … USING INDEX` (brief).
 * A constraint without a name, or with options the online form cannot carry, runs as written and says it blocks.
 */
import type { AlterTableStmt, Constraint, Node } from 'libpg-query';
import { quoteIdent } from '../../sql/quote.js';
import { singleAlter } from './alter-table.js';
import { BRIEF, LOCKS, type OnlineForm, type OnlineStep } from './step.js';
import { bare, constraintMissing, constraintNotValidated, dropInvalidIndex, guarded, indexSqlName, relationSql, sliceBytes } from './sql.js';

const BLOCKING_ALTERNATIVE = 'leave the constraint off until a quiet period, or add it by hand as NOT VALID, then VALIDATE CONSTRAINT';

function names(list: Node[] | undefined): string[] | undefined {
  const values = (list ?? []).map((node) => (node as { String?: { sval?: string } }).String?.sval);
  return values.every((value) => value !== undefined) ? (values as string[]) : undefined;
}

export const addConstraint: OnlineForm = {
  kind: 'ADD CONSTRAINT',
  online(statement) {
    const alter = singleAlter(statement, 'AT_AddConstraint');
    const constraint = (alter?.command.def as { Constraint?: Constraint } | undefined)?.Constraint;
    if (!alter || !constraint) return undefined;
    const { prefix, table } = alter;
    const name = constraint.conname;
    const asWritten: OnlineStep = {
      sql: `${bare(statement.text)};`,
      transactional: true,
      lock: `${constraint.contype === 'CONSTR_FOREIGN' ? LOCKS.shareRowExclusive : LOCKS.accessExclusive} on ${table}`,
      effect: 'scans the table to check the constraint, writes wait; no online form for this constraint',
      scans: true,
      blocksWrites: { alternative: BLOCKING_ALTERNATIVE },
    };
    if (!name) return [asWritten];
    const definition = constraint.location === undefined ? undefined : bare(sliceBytes(bare(statement.text), constraint.location));
    if (!definition) return undefined;

    if (constraint.contype === 'CONSTR_CHECK' || constraint.contype === 'CONSTR_FOREIGN') {
      const foreign = constraint.contype === 'CONSTR_FOREIGN';
      const referenced = foreign ? relationSql(constraint.pktable) : undefined;
      const alreadyNotValid = constraint.skip_validation === true || constraint.initially_valid === false;
      const add: OnlineStep = {
        sql: guarded(constraintMissing(table, name), `${prefix} ADD ${definition}${alreadyNotValid ? '' : ' NOT VALID'}`),
        transactional: true,
        lock: foreign ? `${LOCKS.shareRowExclusive} on ${table} and ${referenced ?? 'the referenced table'}` : `${LOCKS.accessExclusive} on ${table}`,
        effect: `${BRIEF}: NOT VALID checks new rows only`,
        scans: false,
      };
      if (alreadyNotValid) return [add];
      const validate: OnlineStep = {
        sql: guarded(constraintNotValidated(table, name), `${prefix} VALIDATE CONSTRAINT ${quoteIdent(name)}`),
        transactional: true,
        lock: `${LOCKS.shareUpdateExclusive} on ${table}${foreign ? ` (ROW SHARE on ${referenced ?? 'the referenced table'})` : ''}`,
        effect: 'scans the table, writes continue',
        scans: true,
      };
      return [add, validate];
    }

    if (constraint.contype === 'CONSTR_UNIQUE' || constraint.contype === 'CONSTR_PRIMARY') {
      const keys = names(constraint.keys);
      const including = names(constraint.including);
      // Options an index built apart cannot carry, or that the USING INDEX form refuses: keep the statement.
      if (!keys || keys.length === 0 || !including || constraint.indexname || constraint.options?.length || constraint.indexspace || constraint.without_overlaps) return [asWritten];
      const unique = constraint.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY';
      const nulls = constraint.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
      const include = including.length > 0 ? ` INCLUDE (${including.map(quoteIdent).join(', ')})` : '';
      const deferrable = `${constraint.deferrable ? ' DEFERRABLE' : ''}${constraint.initdeferred ? ' INITIALLY DEFERRED' : ''}`;
      // The index takes the constraint's name (in the table's schema), as ADD CONSTRAINT would have named it.
      const build: OnlineStep = {
        sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${table} (${keys.map(quoteIdent).join(', ')})${include}${nulls};`,
        transactional: false,
        lock: `${LOCKS.shareUpdateExclusive} on ${table}`,
        effect: 'scans the table twice to build the unique index, writes continue',
        scans: true,
      };
      const attach: OnlineStep = {
        sql: guarded(constraintMissing(table, name), `${prefix} ADD CONSTRAINT ${quoteIdent(name)} ${unique} USING INDEX ${quoteIdent(name)}${deferrable}`),
        transactional: true,
        lock: `${LOCKS.accessExclusive} on ${table}`,
        effect: `${BRIEF}: the index is already built${unique === 'PRIMARY KEY' ? ' (a key column that allows NULL is scanned to set NOT NULL)' : ''}`,
        scans: false,
      };
      const relation = (statement.node as { AlterTableStmt?: AlterTableStmt }).AlterTableStmt?.relation;
      return [dropInvalidIndex(indexSqlName(relation, name), table), build, attach];
    }
    return [asWritten];
  },
};
