/** The shape the ALTER TABLE modules share: one subcommand on one table, and the text that names the table. */
import type { AlterTableCmd, AlterTableStmt } from 'libpg-query';
import type { ParsedStatement } from '../../source/parse.js';
import { afterKeyword, alterPrefix, insertAt, relationSql, tokens } from './sql.js';

export interface SingleAlter {
  command: AlterTableCmd;
  /** `ALTER TABLE IF EXISTS schema.t`: a later step may drop the table, and the script must be able to run again. */
  prefix: string;
  /** The table as SQL (`schema.t`). */
  table: string;
}

/** The statement's only subcommand when it is `ALTER TABLE t <subtype> …`; several subcommands are not split. */
export function singleAlter(statement: ParsedStatement, subtype: string): SingleAlter | undefined {
  const alter = (statement.node as { AlterTableStmt?: AlterTableStmt }).AlterTableStmt;
  if (!alter || alter.objtype !== 'OBJECT_TABLE' || alter.cmds?.length !== 1) return undefined;
  const command = (alter.cmds[0] as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
  const table = relationSql(alter.relation);
  const written = alterPrefix(statement.text, alter.relation);
  const afterTable = written === undefined ? undefined : afterKeyword(tokens(written), 'TABLE');
  if (!command || command.subtype !== subtype || !table || !written || afterTable === undefined) return undefined;
  return { command, prefix: alter.missing_ok ? written : insertAt(written, afterTable, ' IF EXISTS'), table };
}
