/**
 * Statements the sandbox role may not run (./sandbox.ts: it is no superuser), replayed in a form that has the same
 * effect on everything the shadow is read for: the object definitions catalog/snapshot.ts reads.
 *
 * Real histories wrap bulk data fixes in superuser-only maintenance toggles (Lemmy: `ALTER TABLE … DISABLE TRIGGER
 * ALL` and `UPDATE pg_index SET indisready = false` around an UPDATE, then both switched back; others `SET
 * session_replication_role = replica`). Refusing them stops
 * the replay and leaves every later migration without a prior schema, although they change no definition. Only a
 * statement Postgres refused for want of privilege (SQLSTATE 42501) is replaced, and only by a form listed here,
 * each with the reason it is equivalent for the snapshot; anything else still stops the replay.
 */
import type { Node } from 'libpg-query';
import { parseSync } from '../sql/parser.js';
import { quoteIdentAlways } from '../sql/quote.js';

export type SandboxForm =
  /** Run this statement instead. */
  | { replacement: string; reason: string }
  /** Run nothing: the statement changes nothing the shadow is read for. */
  | { replacement?: undefined; reason: string };

/**
 * Columns of system catalogs that hold an object's operational state, not its definition, and that the snapshot
 * does not read. `indisready` says whether inserts maintain an index; its definition (pg_get_indexdef), validity
 * (indisvalid, which the snapshot reads) and existence do not change with it.
 */
const OPERATIONAL_CATALOG_COLUMNS: Readonly<Record<string, ReadonlySet<string>>> = {
  pg_index: new Set(['indisready']),
};

const TRIGGER_TOGGLES: Readonly<Record<string, string>> = { AT_DisableTrigAll: 'DISABLE', AT_EnableTrigAll: 'ENABLE' };

/** The form to replay `text` in when Postgres refuses it the sandbox role; undefined when there is none. */
export function sandboxForm(tag: string, text: string): SandboxForm | undefined {
  // Cheap filters first: this runs for every statement that was refused, which is rare, but the parse is not free.
  if (tag === 'AlterTableStmt' && /\bTRIGGER\s+ALL\b/i.test(text)) return triggerToggleForm(parseOne(text));
  if (tag === 'UpdateStmt') return operationalCatalogWrite(parseOne(text));
  if (tag === 'VariableSetStmt' && /session_replication_role/i.test(text)) return replicationRoleSetting(parseOne(text));
  return undefined;
}

function parseOne(text: string): Node | undefined {
  const statements = parseSync(text).stmts ?? [];
  return statements.length === 1 ? statements[0]!.stmt : undefined;
}

/**
 * `ALTER TABLE t DISABLE|ENABLE TRIGGER ALL` → `… TRIGGER USER`. ALL adds the foreign keys' internal triggers,
 * which need a superuser to toggle; the snapshot reads no internal trigger (`NOT tgisinternal`), and the user
 * triggers are toggled exactly as written.
 */
function triggerToggleForm(node: Node | undefined): SandboxForm | undefined {
  if (!node || !('AlterTableStmt' in node)) return undefined;
  const statement = node.AlterTableStmt!;
  const relation = statement.relation;
  if (statement.objtype !== 'OBJECT_TABLE' || !relation?.relname) return undefined;
  const toggles = (statement.cmds ?? []).map((cmd) => ('AlterTableCmd' in cmd ? TRIGGER_TOGGLES[cmd.AlterTableCmd!.subtype ?? ''] : undefined));
  if (toggles.length === 0 || toggles.some((toggle) => toggle === undefined)) return undefined;
  const name = [relation.schemaname, relation.relname].filter((part): part is string => part !== undefined).map(quoteIdentAlways).join('.');
  const only = relation.inh === true ? '' : 'ONLY ';
  const ifExists = statement.missing_ok ? 'IF EXISTS ' : '';
  return {
    replacement: `ALTER TABLE ${ifExists}${only}${name} ${toggles.map((toggle) => `${toggle} TRIGGER USER`).join(', ')}`,
    reason: 'internal foreign-key triggers need a superuser to toggle, and the schema migcheck reads does not include them',
  };
}

/**
 * `UPDATE pg_index SET indisready = …`: a write to catalog columns that define nothing (OPERATIONAL_CATALOG_COLUMNS).
 * Only Postgres' refusal brings a statement here, so the name resolved to the catalog, not to a table of that name.
 */
function operationalCatalogWrite(node: Node | undefined): SandboxForm | undefined {
  if (!node || !('UpdateStmt' in node)) return undefined;
  const statement = node.UpdateStmt!;
  const relation = statement.relation;
  if (!relation?.relname || (relation.schemaname !== undefined && relation.schemaname !== 'pg_catalog')) return undefined;
  const operational = OPERATIONAL_CATALOG_COLUMNS[relation.relname];
  if (!operational || statement.returningClause || statement.withClause) return undefined;
  const columns = (statement.targetList ?? []).map((target) => ('ResTarget' in target ? target.ResTarget!.name : undefined));
  if (columns.length === 0 || !columns.every((column) => column !== undefined && operational.has(column))) return undefined;
  return { reason: `pg_catalog.${relation.relname}.${columns.join(', ')} is operational state that defines no object` };
}

/**
 * `SET [LOCAL] session_replication_role = replica` (and back): keeps triggers and foreign-key checks from firing
 * while data is loaded. It defines nothing; in the shadow the triggers fire, which changes at most its rows.
 */
function replicationRoleSetting(node: Node | undefined): SandboxForm | undefined {
  if (!node || !('VariableSetStmt' in node) || node.VariableSetStmt!.name !== 'session_replication_role') return undefined;
  return { reason: 'session_replication_role changes which triggers fire while data is loaded, and defines nothing' };
}
