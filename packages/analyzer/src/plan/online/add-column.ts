/**
 * `ADD COLUMN c …` → `ADD COLUMN IF NOT EXISTS c …`. Catalog only under ACCESS EXCLUSIVE, unless the column
 * makes Postgres rewrite the table (a volatile default, an identity, a stored generated column): then it
 * blocks reads and writes for the rewrite and has no online form.
 */
import type { ColumnDef, Constraint, Node } from 'libpg-query';
import { singleAlter } from './alter-table.js';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { bare, sliceBytes } from './sql.js';

/** Whether any node below holds a function call (the default may be volatile: nextval(), random(), now() is not known here). */
function callsFunction(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(callsFunction);
  return 'FuncCall' in (value as object) || Object.values(value as object).some(callsFunction);
}

function rewrites(column: ColumnDef): boolean {
  const constraints = (column.constraints ?? []).map((node: Node) => (node as { Constraint?: Constraint }).Constraint);
  const serial = column.typeName?.names?.some((name) => /^(small|big)?serial[248]?$/i.test((name as { String?: { sval?: string } }).String?.sval ?? ''));
  return (
    serial === true ||
    constraints.some((constraint) => constraint?.contype === 'CONSTR_IDENTITY' || constraint?.contype === 'CONSTR_GENERATED' || (constraint?.contype === 'CONSTR_DEFAULT' && callsFunction(constraint.raw_expr)))
  );
}

export const addColumn: OnlineForm = {
  kind: 'ADD COLUMN',
  online(statement) {
    const alter = singleAlter(statement, 'AT_AddColumn');
    const column = (alter?.command.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
    if (!alter || !column || column.location === undefined) return undefined;
    const definition = bare(sliceBytes(bare(statement.text), column.location));
    const sql = `${alter.prefix} ADD COLUMN ${alter.command.missing_ok ? '' : 'IF NOT EXISTS '}${definition};`;
    const lock = `${LOCKS.accessExclusive} on ${alter.table}`;
    if (!rewrites(column)) return [{ sql, transactional: true, lock, effect: `${BRIEF} (no rewrite)`, scans: false }];
    return [
      {
        sql,
        transactional: true,
        lock,
        effect: 'may rewrite the table (a default computed per row, an identity or a stored generated column), reads and writes wait; no online form',
        scans: true,
        blocksWrites: { alternative: 'add the column without the default, then fill it in batches' },
      },
    ];
  },
};
