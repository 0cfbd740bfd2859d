/**
 * Building blocks for rollback SQL: object keywords, function signatures, role names. Every name
 * is schema-qualified and quoted where Postgres would need it.
 */
import type { Node, ObjectWithArgs, RoleSpec, TypeName } from 'libpg-query';
import { payload, qualifyNames, strings } from './ast.js';
import { quoteIdent, sqlName } from '../sql/quote.js';
import { formatTypeName } from './typename.js';
import type { QualifiedName } from '../sql/name.js';

/** The SQL keyword for an ObjectType, as used after CREATE/DROP/ALTER. */
export const OBJECT_KEYWORD: Record<string, string> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_VIEW: 'VIEW',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE',
  OBJECT_SEQUENCE: 'SEQUENCE',
  OBJECT_INDEX: 'INDEX',
  OBJECT_TYPE: 'TYPE',
  OBJECT_DOMAIN: 'DOMAIN',
  OBJECT_FUNCTION: 'FUNCTION',
  OBJECT_PROCEDURE: 'PROCEDURE',
  OBJECT_ROUTINE: 'ROUTINE',
  OBJECT_AGGREGATE: 'AGGREGATE',
  OBJECT_SCHEMA: 'SCHEMA',
  OBJECT_EXTENSION: 'EXTENSION',
  OBJECT_TRIGGER: 'TRIGGER',
  OBJECT_POLICY: 'POLICY',
  OBJECT_RULE: 'RULE',
  OBJECT_COLLATION: 'COLLATION',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_EVENT_TRIGGER: 'EVENT TRIGGER',
  OBJECT_PUBLICATION: 'PUBLICATION',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_OPERATOR: 'OPERATOR',
  OBJECT_CAST: 'CAST',
  OBJECT_CONVERSION: 'CONVERSION',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_COLUMN: 'COLUMN',
  OBJECT_TABCONSTRAINT: 'CONSTRAINT',
  OBJECT_DOMCONSTRAINT: 'CONSTRAINT',
};

/** Human words for an ObjectType ("materialized view"). */
export function objectWords(objectType: string | undefined): string {
  return (OBJECT_KEYWORD[objectType ?? ''] ?? (objectType ?? 'object').replace(/^OBJECT_/, '')).toLowerCase();
}

/** `ALTER TABLE` / `ALTER VIEW` / … for relation-level statements. */
export function alterRelation(objtype: string | undefined): string {
  return `ALTER ${OBJECT_KEYWORD[objtype ?? 'OBJECT_TABLE'] ?? 'TABLE'}`;
}

/** Argument types of a function for DROP/ALTER FUNCTION: input arguments only (OUT and TABLE are not part of the identity). */
export function functionArgumentTypes(parameters: Node[] | undefined): string[] {
  const types: string[] = [];
  for (const node of parameters ?? []) {
    const parameter = payload<{ argType?: TypeName; mode?: string }>(node, 'FunctionParameter');
    if (!parameter?.argType) continue;
    if (parameter.mode === 'FUNC_PARAM_OUT' || parameter.mode === 'FUNC_PARAM_TABLE') continue;
    types.push(formatTypeName(parameter.argType).sql);
  }
  return types;
}

export interface FunctionIdentity {
  name: QualifiedName;
  /** undefined when the statement named the function without arguments (`DROP FUNCTION f`). */
  argumentTypes: string[] | undefined;
}

export function functionIdentity(object: ObjectWithArgs, defaultSchema: string): FunctionIdentity {
  const name = qualifyNames(strings(object.objname), defaultSchema);
  if (object.args_unspecified) return { name, argumentTypes: undefined };
  const args = object.objfuncargs
    ? functionArgumentTypes(object.objfuncargs)
    : (object.objargs ?? []).map((arg) => formatTypeName(payload<TypeName>(arg, 'TypeName') ?? {}).sql);
  return { name, argumentTypes: args };
}

export function functionSignature(identity: FunctionIdentity): string {
  return `${sqlName(identity.name)}(${(identity.argumentTypes ?? []).join(', ')})`;
}

export function roleName(role: RoleSpec | undefined): string {
  switch (role?.roletype) {
    case 'ROLESPEC_PUBLIC':
      return 'PUBLIC';
    case 'ROLESPEC_CURRENT_USER':
      return 'CURRENT_USER';
    case 'ROLESPEC_SESSION_USER':
      return 'SESSION_USER';
    case 'ROLESPEC_CURRENT_ROLE':
      return 'CURRENT_ROLE';
    default:
      return quoteIdent(role?.rolename ?? '');
  }
}

/**
 * The names in an object reference: a `List` of strings (tables, or [schema?, table, trigger] for
 * DROP TRIGGER/POLICY/RULE), a `TypeName` (DROP TYPE), or a single `String` (schemas, extensions).
 */
export function listItems(node: Node | undefined): string[] {
  const list = payload<{ items?: Node[] }>(node, 'List');
  if (list) return strings(list.items);
  const typeName = payload<TypeName>(node, 'TypeName');
  if (typeName) return strings(typeName.names);
  const single = payload<{ sval?: string }>(node, 'String');
  return single ? [single.sval ?? ''] : [];
}
