/**
 * Renames back, made able to run again: relations through `ALTER … IF EXISTS` (Postgres has it for tables,
 * indexes, views, sequences); columns, constraints, schemas, types, routines, attributes and enum values through a
 * guard that runs the rename only while the old name exists. Catalog only: ACCESS EXCLUSIVE on the object, brief.
 */
import type { AlterEnumStmt, AlterObjectSchemaStmt, Node, ObjectWithArgs, RenameStmt } from 'libpg-query';
import { quoteLiteral } from '../../sql/quote.js';
import { BRIEF, LOCKS, type OnlineForm, type OnlineStep } from './step.js';
import { bare, columnExists, constraintExists, dottedName, guarded, insertAt, regtype, relationSql, tokens } from './sql.js';

/** How many keywords follow ALTER for relations that take IF EXISTS (`ALTER MATERIALIZED VIEW` → 2). */
const RELATION_WORDS: Readonly<Record<string, number>> = {
  OBJECT_TABLE: 1,
  OBJECT_INDEX: 1,
  OBJECT_VIEW: 1,
  OBJECT_SEQUENCE: 1,
  OBJECT_MATVIEW: 2,
  OBJECT_FOREIGN_TABLE: 2,
};

function nameParts(list: Node[] | undefined): string[] | undefined {
  const parts = (list ?? []).map((node) => (node as { String?: { sval?: string } }).String?.sval);
  return parts.length > 0 && parts.every((part) => part !== undefined) ? (parts as string[]) : undefined;
}

/** True while a routine of that name exists (an overload that does not match makes the rename fail loudly). */
function routineExists(parts: string[]): string {
  const name = parts.at(-1)!;
  const schema = parts.length > 1 ? ` AND pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(parts.at(-2)!)})` : '';
  return `EXISTS (SELECT FROM pg_catalog.pg_proc WHERE proname = ${quoteLiteral(name)}${schema})`;
}

function renameGuard(rename: RenameStmt, table: string | undefined): string | undefined {
  const old = rename.subname;
  switch (rename.renameType) {
    case 'OBJECT_COLUMN':
    case 'OBJECT_ATTRIBUTE':
      return table && old ? columnExists(table, old) : undefined;
    case 'OBJECT_TABCONSTRAINT':
      return table && old ? constraintExists(table, old) : undefined;
    case 'OBJECT_SCHEMA':
      return old ? `EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(old)})` : undefined;
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN': {
      const type = rename.object ? dottedName(rename.object) : undefined;
      return type ? `${regtype(type)} IS NOT NULL` : undefined;
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE': {
      const parts = nameParts((rename.object as { ObjectWithArgs?: ObjectWithArgs } | undefined)?.ObjectWithArgs?.objname);
      return parts ? routineExists(parts) : undefined;
    }
    default:
      return undefined;
  }
}

/** `ALTER … SET SCHEMA` back: relations through IF EXISTS, routines and types guarded by the name in the schema they leave. */
function setSchema(move: AlterObjectSchemaStmt, text: string): OnlineStep[] | undefined {
  const type = move.objectType;
  if (!type) return undefined;
  const table = relationSql(move.relation);
  const step = (sql: string, on: string): OnlineStep => ({ sql, transactional: true, lock: `${LOCKS.accessExclusive} on ${on}`, effect: BRIEF, scans: false });
  const words = RELATION_WORDS[type];
  if (words !== undefined && table) {
    if (move.missing_ok) return [step(`${text};`, table)];
    const last = tokens(text)[words];
    return last ? [step(`${insertAt(text, last.end, ' IF EXISTS')};`, table)] : undefined;
  }
  if (type === 'OBJECT_FUNCTION' || type === 'OBJECT_PROCEDURE' || type === 'OBJECT_ROUTINE') {
    const parts = nameParts((move.object as { ObjectWithArgs?: ObjectWithArgs } | undefined)?.ObjectWithArgs?.objname);
    return parts ? [step(guarded(routineExists(parts), text), parts.join('.'))] : undefined;
  }
  if (type === 'OBJECT_TYPE' || type === 'OBJECT_DOMAIN') {
    const name = move.object ? dottedName(move.object) : undefined;
    return name ? [step(guarded(`${regtype(name)} IS NOT NULL`, text), name)] : undefined;
  }
  return undefined;
}

export const rename: OnlineForm = {
  kind: 'RENAME',
  online(statement) {
    const text = bare(statement.text);
    const enumRename = (statement.node as { AlterEnumStmt?: AlterEnumStmt }).AlterEnumStmt;
    if (enumRename?.oldVal && enumRename.newVal) {
      const typeName = enumRename.typeName ? dottedName({ List: { items: enumRename.typeName } } as Node) : undefined;
      if (!typeName) return undefined;
      const guard = `EXISTS (SELECT FROM pg_catalog.pg_enum WHERE enumtypid = ${regtype(typeName)} AND enumlabel = ${quoteLiteral(enumRename.oldVal)})`;
      return [{ sql: guarded(guard, text), transactional: true, lock: `${LOCKS.accessExclusive} on the type ${typeName}`, effect: BRIEF, scans: false }];
    }
    const move = (statement.node as { AlterObjectSchemaStmt?: AlterObjectSchemaStmt }).AlterObjectSchemaStmt;
    if (move) return setSchema(move, text);
    const renameStmt = (statement.node as { RenameStmt?: RenameStmt }).RenameStmt;
    if (!renameStmt?.renameType) return undefined;
    const table = relationSql(renameStmt.relation);
    const onWhat = table ?? (renameStmt.subname ? renameStmt.subname : 'the object');
    const step = (sql: string): OnlineStep => ({ sql, transactional: true, lock: `${LOCKS.accessExclusive} on ${onWhat}`, effect: BRIEF, scans: false });
    const words = RELATION_WORDS[renameStmt.renameType];
    if (words !== undefined && table) {
      if (renameStmt.missing_ok) return [step(`${text};`)];
      const last = tokens(text)[words];
      return last ? [step(`${insertAt(text, last.end, ' IF EXISTS')};`)] : undefined;
    }
    const guard = renameGuard(renameStmt, table);
    return guard ? [step(guarded(guard, text))] : undefined;
  },
};
