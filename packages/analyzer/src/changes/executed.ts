/**
 * What a statement runs now, as opposed to what it only defines: a data-modifying CTE runs whatever the outer
 * statement is, EXPLAIN ANALYZE and COPY (query) TO run their query, CREATE TABLE AS runs its query unless
 * WITH NO DATA, a new column's volatile default is computed for every existing row. A view, function, rule
 * or prepared statement only stores its query for later.
 */
import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, Node } from 'libpg-query';
import { forEachNode, payload } from './ast.js';

export const DATA_STATEMENTS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Statements whose query is stored, not run. */
const DEFINES_ONLY = new Set(['RuleStmt', 'CreateFunctionStmt', 'PrepareStmt', 'ViewStmt', 'DeclareCursorStmt', 'CreateTrigStmt', 'CreatePolicyStmt', 'AlterPolicyStmt']);

/** The subtrees of a statement that run when it runs (the statement itself for queries and data changes). */
export function executedParts(tag: string, body: Record<string, unknown>): unknown[] {
  if (DEFINES_ONLY.has(tag)) return [];
  switch (tag) {
    case 'ExplainStmt': {
      const options = (body.options as Node[] | undefined) ?? [];
      const analyze = options.some((option) => {
        const definition = payload<{ defname?: string; arg?: Node }>(option, 'DefElem');
        if (definition?.defname !== 'analyze') return false;
        const value = payload<{ sval?: string }>(definition.arg, 'String')?.sval ?? payload<{ boolval?: { boolval?: boolean } }>(definition.arg, 'A_Const')?.boolval?.boolval;
        return !(value === 'false' || value === 'off' || value === '0' || value === false);
      });
      return analyze ? [body.query] : [];
    }
    case 'CreateTableAsStmt':
      return (body.into as { skipData?: boolean } | undefined)?.skipData ? [] : [body.query];
    case 'CopyStmt':
      return [body.query, body.whereClause];
    case 'AlterTableStmt':
      return ((body as AlterTableStmt).cmds ?? []).flatMap((command) => executedByCommand(payload<AlterTableCmd>(command, 'AlterTableCmd')));
    case 'SelectStmt':
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'CallStmt':
      return [body];
    default:
      return [];
  }
}

/** ADD COLUMN … DEFAULT computes the default for every existing row; ALTER COLUMN TYPE … USING computes the expression. */
function executedByCommand(command: AlterTableCmd | undefined): unknown[] {
  if (!command) return [];
  const column = payload<ColumnDef>(command.def, 'ColumnDef');
  if (command.subtype === 'AT_AddColumn' && column) {
    return (column.constraints ?? []).map((constraint) => payload<Constraint>(constraint, 'Constraint')).filter((constraint) => constraint?.contype === 'CONSTR_DEFAULT').map((constraint) => constraint?.raw_expr);
  }
  if (command.subtype === 'AT_AlterColumnType' && column?.raw_default) return [column.raw_default];
  return [];
}

/** The data-modifying statements below the top of a tree (CTEs, EXPLAIN ANALYZE, COPY of a query), in order. */
export function nestedDataStatements(parts: unknown[], top: unknown): Array<{ tag: string; node: Record<string, unknown> }> {
  const found: Array<{ tag: string; node: Record<string, unknown> }> = [];
  const visit = (tree: unknown) =>
    forEachNode(tree, (key, child) => {
      if (DATA_STATEMENTS.has(key) && child !== top && child !== null && typeof child === 'object') found.push({ tag: key, node: child as Record<string, unknown> });
    });
  for (const part of parts) {
    if (part === top && part !== null && typeof part === 'object') Object.values(part).forEach(visit);
    else visit(part);
  }
  return found;
}
