/**
 * ALTER TABLE subcommands that change the catalog only, made able to run again: `DROP COLUMN IF EXISTS`,
 * `DROP CONSTRAINT IF EXISTS`, `DROP IDENTITY IF EXISTS`. All take ACCESS
 * EXCLUSIVE briefly; none has an online form (they wait behind the lock queue, which lock_timeout bounds).
 * Those Postgres has no IF EXISTS for (DROP NOT NULL, SET / DROP DEFAULT) are guarded by the catalog.
 */
import type { ParsedStatement } from '../../source/parse.js';
import { singleAlter } from './alter-table.js';
import { BRIEF, LOCKS, type OnlineForm, type OnlineStep } from './step.js';
import { quoteIdent, quoteLiteral } from '../../sql/quote.js';
import { bare, guarded, regclass, sliceBytes, tokens } from './sql.js';

function brief(sql: string, table: string, effect = BRIEF): OnlineStep[] {
  return [{ sql, transactional: true, lock: `${LOCKS.accessExclusive} on ${table}`, effect, scans: false }];
}

export const dropColumn: OnlineForm = {
  kind: 'DROP COLUMN',
  online(statement) {
    const alter = singleAlter(statement, 'AT_DropColumn');
    const column = alter?.command.name;
    if (!alter || !column) return undefined;
    const cascade = alter.command.behavior === 'DROP_CASCADE' ? ' CASCADE' : '';
    return brief(`${alter.prefix} DROP COLUMN IF EXISTS ${quoteIdent(column)}${cascade};`, alter.table, `${BRIEF} (no rewrite); no online form: it waits for every transaction using the table`);
  },
};

export const dropConstraint: OnlineForm = {
  kind: 'DROP CONSTRAINT',
  online(statement) {
    const alter = singleAlter(statement, 'AT_DropConstraint');
    const name = alter?.command.name;
    if (!alter || !name) return undefined;
    const cascade = alter.command.behavior === 'DROP_CASCADE' ? ' CASCADE' : '';
    return brief(`${alter.prefix} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}${cascade};`, alter.table);
  },
};

export const dropIdentity: OnlineForm = {
  kind: 'DROP IDENTITY',
  online(statement) {
    const alter = singleAlter(statement, 'AT_DropIdentity');
    const column = alter?.command.name;
    if (!alter || !column) return undefined;
    return brief(`${alter.prefix} ALTER COLUMN ${quoteIdent(column)} DROP IDENTITY IF EXISTS;`, alter.table);
  },
};

/** `pg_attribute` of the column, with a condition: the guards below run a statement only while it is due. */
function attribute(table: string, column: string, condition: string): string {
  return `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${quoteLiteral(column)} AND attnum > 0 AND NOT attisdropped AND ${condition})`;
}

/**
 * DROP NOT NULL, SET DEFAULT, DROP DEFAULT: run only while due (the column is NOT NULL; its default differs from
 * the one written, as pg_get_expr prints it; it has one), so a second run does not queue for the lock again. A
 * default written otherwise than pg_get_expr prints it is set again, which converges too.
 */
export const columnSetting: OnlineForm = {
  kind: 'ALTER COLUMN DROP NOT NULL / SET DEFAULT / DROP DEFAULT',
  online(statement: ParsedStatement) {
    const text = bare(statement.text);
    const dropNotNull = singleAlter(statement, 'AT_DropNotNull');
    if (dropNotNull?.command.name) return brief(guarded(attribute(dropNotNull.table, dropNotNull.command.name, 'attnotnull'), text), dropNotNull.table);
    const alter = singleAlter(statement, 'AT_ColumnDefault');
    const column = alter?.command.name;
    if (!alter || !column) return undefined;
    if (!alter.command.def) return brief(guarded(attribute(alter.table, column, 'atthasdef'), text), alter.table);
    const list = tokens(text);
    const set = list.findIndex((token, index) => token.text.toUpperCase() === 'SET' && list[index + 1]?.text.toUpperCase() === 'DEFAULT');
    const expression = set < 0 ? undefined : sliceBytes(text, list[set + 1]!.end).trim();
    if (!expression) return undefined;
    const current = `(SELECT pg_catalog.pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef WHERE adrelid = attrelid AND adnum = attnum)`;
    return brief(guarded(attribute(alter.table, column, `${current} IS DISTINCT FROM ${quoteLiteral(expression)}`), text), alter.table);
  },
};
