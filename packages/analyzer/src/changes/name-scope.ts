/**
 * Where unqualified names go, statement by statement, the way Postgres resolves them: the search_path as the
 * migration sets it (SET, SET LOCAL within a transaction block, RESET, RESET ALL, DISCARD ALL, set_config), and
 * temporary tables, which pg_temp puts ahead of every schema. Where migcheck cannot tell which object an
 * unqualified name means, the statement's changes carry the reason, and are never safe.
 */
import type { A_Const, FuncCall, Node, ResTarget, SelectStmt, VariableSetStmt } from 'libpg-query';
import { forEachNode, payload, strings } from './ast.js';

interface Path {
  schemas: string[];
  /** Why the path is not known for sure. */
  uncertain?: string;
}

export interface Scope {
  /** The schema unqualified names resolve to (the path's first schema). */
  defaultSchema: string;
  /** Why an unqualified name may resolve elsewhere, when it may. */
  uncertain?: string;
}

/** Schemas of a path that hold no user objects a migration names without a schema. */
const IMPLICIT = new Set(['$user', 'pg_catalog', 'pg_temp']);

export class NameScope {
  private session: Path;
  /** SET LOCAL inside BEGIN … COMMIT: lasts until the block ends. */
  private local: Path | undefined;
  private inBlock = false;
  /** Temporary tables the migration created (unqualified names of pg_temp). */
  private readonly temporary = new Set<string>();

  constructor(private readonly initial: string) {
    this.session = { schemas: [initial] };
  }

  scope(): Scope {
    const path = this.local ?? this.session;
    const candidates = path.schemas.filter((schema) => !IMPLICIT.has(schema));
    const defaultSchema = candidates[0] ?? this.initial;
    if (path.uncertain) return { defaultSchema, uncertain: path.uncertain };
    if (candidates.length === 0) return { defaultSchema, uncertain: `the search_path (${path.schemas.join(', ') || 'empty'}) names no schema for unqualified names` };
    if (candidates.length > 1) {
      return { defaultSchema, uncertain: `the search_path has several schemas (${candidates.join(', ')}): an unqualified name means the first of them that has the object, which migcheck cannot tell` };
    }
    return { defaultSchema };
  }

  /** Whether an unqualified relation name means a temporary table of the migration (pg_temp comes first). */
  isTemporary(name: string): boolean {
    if (!this.temporary.has(name)) return false;
    const path = this.local ?? this.session;
    const position = path.schemas.indexOf('pg_temp');
    return position <= 0 || path.schemas.slice(0, position).every((schema) => IMPLICIT.has(schema));
  }

  /** Temporary tables whose unqualified name may or may not mean them (pg_temp listed after a schema). */
  shadowUncertain(name: string): boolean {
    return this.temporary.has(name) && !this.isTemporary(name);
  }

  createdTemporary(name: string): void {
    this.temporary.add(name);
  }

  droppedTemporary(name: string): void {
    this.temporary.delete(name);
  }

  /** Follows one statement's effect on the path (call for every statement, in order). */
  follow(tag: string, node: unknown): void {
    switch (tag) {
      case 'TransactionStmt': {
        const kind = (node as { kind?: string }).kind ?? '';
        if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') this.inBlock = true;
        if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED', 'TRANS_STMT_PREPARE'].includes(kind)) {
          this.inBlock = false;
          this.local = undefined;
        }
        return;
      }
      case 'VariableSetStmt':
        this.followSet(node as VariableSetStmt);
        return;
      case 'DiscardStmt': {
        const target = (node as { target?: string }).target;
        if (target === 'DISCARD_ALL') this.reset();
        if (target === 'DISCARD_ALL' || target === 'DISCARD_TEMP') this.temporary.clear();
        return;
      }
      case 'SelectStmt': {
        for (const call of setConfigCalls(node as SelectStmt)) this.assign(call.path, call.local);
        return;
      }
      default:
    }
  }

  private followSet(set: VariableSetStmt): void {
    if (set.kind === 'VAR_RESET_ALL') {
      this.reset();
      return;
    }
    if (set.name !== 'search_path') return;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') {
      this.assign({ schemas: [this.initial] }, set.is_local === true);
      return;
    }
    if (set.kind !== 'VAR_SET_VALUE') {
      this.assign({ schemas: [this.initial], uncertain: 'the search_path is set in a way migcheck does not follow' }, set.is_local === true);
      return;
    }
    const schemas = (set.args ?? []).map(constantText);
    if (schemas.some((schema) => schema === undefined)) {
      this.assign({ schemas: [this.initial], uncertain: 'the search_path is set to a value migcheck cannot read' }, set.is_local === true);
      return;
    }
    this.assign({ schemas: schemas as string[] }, set.is_local === true);
  }

  private assign(path: Path, local: boolean): void {
    if (!local) {
      this.session = path;
      return;
    }
    if (this.inBlock) {
      this.local = path;
      return;
    }
    // Outside BEGIN … COMMIT, SET LOCAL lasts only if the migration tool runs the file in one transaction.
    const before = this.scope().defaultSchema;
    const after = path.schemas.find((schema) => !IMPLICIT.has(schema));
    if (after === before && !path.uncertain) return;
    this.session = {
      schemas: this.session.schemas,
      uncertain: 'SET LOCAL outside BEGIN … COMMIT changes the search_path only if the migration tool runs the file in one transaction',
    };
  }

  private reset(): void {
    this.session = { schemas: [this.initial] };
    this.local = undefined;
  }
}

function constantText(node: Node): string | undefined {
  const constant = payload<A_Const>(node, 'A_Const');
  if (constant?.sval?.sval !== undefined) return constant.sval.sval;
  return payload<{ sval?: string }>(node, 'String')?.sval;
}

/** `SELECT set_config('search_path', 'a, b', false)` (pg_dump writes these). */
function setConfigCalls(select: SelectStmt): Array<{ path: Path; local: boolean }> {
  const calls: Array<{ path: Path; local: boolean }> = [];
  for (const target of select.targetList ?? []) {
    const call = payload<FuncCall>(payload<ResTarget>(target, 'ResTarget')?.val, 'FuncCall');
    if (!call || strings(call.funcname).at(-1) !== 'set_config') continue;
    const [nameArg, valueArg, localArg] = call.args ?? [];
    const name = nameArg ? constantText(nameArg) : undefined;
    if (name !== undefined && name.toLowerCase() !== 'search_path') continue;
    const value = valueArg ? constantText(valueArg) : undefined;
    const localConstant = payload<A_Const>(localArg, 'A_Const');
    // A non-constant is_local may be either: take the uncertain reading.
    const isLocal = localConstant ? localConstant.boolval?.boolval === true || ['true', 'on', 't'].includes(localConstant.sval?.sval ?? '') : true;
    if (name === undefined || value === undefined) {
      calls.push({ path: { schemas: [], uncertain: 'set_config sets the search_path to a value migcheck cannot read' }, local: isLocal });
      continue;
    }
    calls.push({ path: { schemas: splitPath(value) }, local: isLocal });
  }
  return calls;
}

/** A search_path string as Postgres splits it: comma-separated, double quotes keep case and commas. */
export function splitPath(value: string): string[] {
  const schemas: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < value.length && (match = pattern.exec(value)) !== null) {
    schemas.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : (match[2] ?? '').toLowerCase());
  }
  return schemas.filter((schema) => schema.length > 0);
}

/** Whether a SELECT does nothing but call set_config (no persistent change; its effect is followed above). */
export function onlySetsConfiguration(select: SelectStmt): boolean {
  if (select.fromClause || select.whereClause || select.intoClause || select.withClause || !select.targetList?.length) return false;
  return select.targetList.every((target) => {
    const call = payload<FuncCall>(payload<ResTarget>(target, 'ResTarget')?.val, 'FuncCall');
    const names = strings(call?.funcname);
    const isSetConfig = names.at(-1) === 'set_config' && (names.length === 1 || names[0] === 'pg_catalog');
    return isSetConfig && (call?.args ?? []).every((arg) => payload(arg, 'A_Const') !== undefined);
  });
}

/** Relation names a statement leaves unqualified (not counting its own CTEs), for telling whether the path matters. */
export function unqualifiedRelations(tree: unknown): string[] {
  const ctes = new Set<string>();
  const names: string[] = [];
  forEachNode(tree, (key, child) => {
    if (key === 'CommonTableExpr') {
      const name = (child as { ctename?: string }).ctename;
      if (name) ctes.add(name);
    }
    if (isRangeVar(child)) {
      const relation = child as { schemaname?: string; relname?: string };
      if (!relation.schemaname && relation.relname) names.push(relation.relname);
    }
  });
  return names.filter((name) => !ctes.has(name));
}

/** Object names of DDL statements written without a schema (functions, types, domains, dropped or commented objects). */
export function hasUnqualifiedObjectName(body: Record<string, unknown>): boolean {
  const nameLists = ['funcname', 'defnames', 'domainname'].map((key) => body[key]).filter(Array.isArray) as Node[][];
  if (nameLists.some((names) => names.length === 1)) return true;
  const typeName = body.typeName;
  if (Array.isArray(typeName) && typeName.length === 1) return true;
  const SCHEMALESS = new Set(['OBJECT_SCHEMA', 'OBJECT_EXTENSION', 'OBJECT_LANGUAGE', 'OBJECT_DATABASE', 'OBJECT_ROLE', 'OBJECT_TABLESPACE', 'OBJECT_PUBLICATION', 'OBJECT_SUBSCRIPTION', 'OBJECT_FDW', 'OBJECT_FOREIGN_SERVER', 'OBJECT_EVENT_TRIGGER', 'OBJECT_ACCESS_METHOD']);
  const objectType = (body.removeType ?? body.objtype ?? body.objectType ?? body.renameType) as string | undefined;
  if (objectType && SCHEMALESS.has(objectType)) return false;
  const objects = [...((body.objects as Node[] | undefined) ?? []), ...(body.object ? [body.object as Node] : [])];
  return objects.some((object) => {
    const list = payload<{ items?: Node[] }>(object, 'List')?.items;
    if (list) return list.length === 1;
    return payload(object, 'String') !== undefined;
  });
}

/** A RangeVar, wrapped in a Node (`{ RangeVar: … }` in lists) or not (a `relation` field). */
export function isRangeVar(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.relname === 'string' && ('relpersistence' in record || 'inh' in record);
}
