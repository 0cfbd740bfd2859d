/**
 * Statements that create a table:
 *  - `CREATE TABLE t (…)` → `CREATE TABLE IF NOT EXISTS t (…)`: locks no existing table but the ones its
 *    foreign keys reference (SHARE ROW EXCLUSIVE, brief);
 *  - `CREATE TABLE migcheck_backup.x AS SELECT …` (a backup, changes/backup.ts) → guarded so it is not taken
 *    twice: on a second run the column or table it copies may already be gone, and the first copy is the one
 *    that holds the data;
 *  - `CREATE SCHEMA IF NOT EXISTS`: already able to run again, takes no table lock.
 */
import type { CreateSchemaStmt, CreateStmt, CreateTableAsStmt } from 'libpg-query';
import { quoteLiteral } from '../../sql/quote.js';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { afterKeyword, bare, guarded, insertAt, regclass, relationSql, tokens } from './sql.js';

export const createTable: OnlineForm = {
  kind: 'CREATE TABLE',
  online(statement) {
    const create = (statement.node as { CreateStmt?: CreateStmt }).CreateStmt;
    const table = relationSql(create?.relation);
    if (!create || !table) return undefined;
    let sql = bare(statement.text);
    if (!create.if_not_exists) {
      const at = afterKeyword(tokens(sql), 'TABLE');
      if (at === undefined) return undefined;
      sql = insertAt(sql, at, ' IF NOT EXISTS');
    }
    return [{ sql: `${sql};`, transactional: true, lock: `none on existing tables (${LOCKS.shareRowExclusive} on the tables its foreign keys reference)`, effect: BRIEF, scans: false }];
  },
};

export const createTableAs: OnlineForm = {
  kind: 'CREATE TABLE AS',
  online(statement) {
    const create = (statement.node as { CreateTableAsStmt?: CreateTableAsStmt }).CreateTableAsStmt;
    const table = relationSql(create?.into?.rel);
    if (!create || create.objtype !== 'OBJECT_TABLE' || !table) return undefined;
    return [
      {
        sql: guarded(`${regclass(table)} IS NULL`, statement.text),
        transactional: true,
        lock: `${LOCKS.accessShare} on the tables it reads`,
        effect: `reads the whole table into ${table}, writes continue; skipped when ${table} exists (a backup is taken once)`,
        scans: true,
      },
    ];
  },
};

export const createSchema: OnlineForm = {
  kind: 'CREATE SCHEMA',
  online(statement) {
    const create = (statement.node as { CreateSchemaStmt?: CreateSchemaStmt }).CreateSchemaStmt;
    if (!create?.schemaname) return undefined;
    const text = bare(statement.text);
    // IF NOT EXISTS refuses schema elements (`CREATE SCHEMA s CREATE TABLE …`): those are guarded instead.
    const sql = create.if_not_exists
      ? `${text};`
      : guarded(`NOT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(create.schemaname)})`, text);
    return [{ sql, transactional: true, lock: 'none on tables', effect: BRIEF, scans: false }];
  },
};
