/**
 * Statements that recreate objects from a schema snapshot. The definitions themselves come from
 * Postgres (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
 * pg_get_triggerdef, format_type, pg_get_expr, read with an empty search_path so every name is
 * schema-qualified); this module only puts them into the statement around them.
 */
import { quoteIdent, quoteLiteral, sqlName } from '../sql/quote.js';
import type { QualifiedName } from '../sql/name.js';
import type {
  ColumnInfo,
  CompositeTypeInfo,
  ConstraintInfo,
  DomainInfo,
  EnumTypeInfo,
  ExtensionInfo,
  FunctionInfo,
  IndexInfo,
  Ownership,
  PolicyInfo,
  SequenceInfo,
  TableInfo,
  TriggerInfo,
  ViewInfo,
} from './snapshot.js';

const nameOf = (info: { schema: string; name: string }): QualifiedName => ({ schema: info.schema, name: info.name });

/**
 * The index as pg_get_indexdef wrote it. With `overPartitions`, a valid index of a partitioned table, which
 * pg_get_indexdef writes `ON ONLY` (the parent's own entry), is built over the partitions again: dropping it dropped
 * theirs, and `ON ONLY` would leave it invalid with no partition index under it.
 */
export function createIndex(index: IndexInfo, concurrently = false, { overPartitions = false } = {}): string {
  let definition = index.definition;
  const only = `INDEX ${quoteIdent(index.name)} ON ONLY `;
  const at = definition.indexOf(only);
  if (overPartitions && index.valid && at >= 0 && /^CREATE (UNIQUE )?$/.test(definition.slice(0, at))) {
    definition = `${definition.slice(0, at)}INDEX ${quoteIdent(index.name)} ON ${definition.slice(at + only.length)}`;
  }
  if (concurrently) definition = definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ');
  return `${definition};`;
}

export function addConstraint(table: QualifiedName, constraint: ConstraintInfo): string {
  return `ALTER TABLE ${sqlName(table)} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition};`;
}

export function createView(view: ViewInfo, materialized: boolean, populated = true): string {
  const query = view.definition.trim().replace(/;$/, '');
  const options = view.options.length > 0 ? ` WITH (${view.options.join(', ')})` : '';
  if (materialized) return `CREATE MATERIALIZED VIEW ${sqlName(nameOf(view))}${options} AS\n${query}\nWITH ${populated ? '' : 'NO '}DATA;`;
  return `CREATE VIEW ${sqlName(nameOf(view))}${options} AS\n${query};`;
}

/** pg_get_functiondef is a complete CREATE OR REPLACE statement; aggregates have none. */
export function createFunction(fn: FunctionInfo): string | undefined {
  if (fn.kind === 'aggregate') return undefined;
  return `${fn.definition.trimEnd()};`;
}

export function createTrigger(table: QualifiedName, trigger: TriggerInfo): string[] {
  const statements = [`${trigger.definition};`];
  const state = { origin: '', replica: 'ENABLE REPLICA', always: 'ENABLE ALWAYS', disabled: 'DISABLE' }[trigger.enabled];
  if (state) statements.push(`ALTER TABLE ${sqlName(table)} ${state} TRIGGER ${quoteIdent(trigger.name)};`);
  return statements;
}

export function createEnum(type: EnumTypeInfo): string {
  return `CREATE TYPE ${sqlName(nameOf(type))} AS ENUM (${type.labels.map(quoteLiteral).join(', ')});`;
}

export function createComposite(type: CompositeTypeInfo): string {
  const attributes = type.attributes.map(
    (attribute) => `${quoteIdent(attribute.name)} ${attribute.type}${attribute.collation ? ` COLLATE ${attribute.collation}` : ''}`,
  );
  return `CREATE TYPE ${sqlName(nameOf(type))} AS (${attributes.join(', ')});`;
}

export function createDomain(domain: DomainInfo): string[] {
  const name = sqlName(nameOf(domain));
  const parts = [`CREATE DOMAIN ${name} AS ${domain.baseType}`];
  if (domain.collation) parts.push(`COLLATE ${domain.collation}`);
  if (domain.default !== null) parts.push(`DEFAULT ${domain.default}`);
  if (domain.notNull) parts.push('NOT NULL');
  return [
    `${parts.join(' ')};`,
    ...Object.values(domain.constraints).map(
      (constraint) => `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition};`,
    ),
  ];
}

export function createSequence(sequence: SequenceInfo): string[] {
  const name = sqlName(nameOf(sequence));
  const statements = [
    `CREATE${sequence.persistence === 'unlogged' ? ' UNLOGGED' : ''} SEQUENCE ${name} AS ${sequence.dataType} INCREMENT BY ${sequence.increment} MINVALUE ${sequence.minValue} MAXVALUE ${sequence.maxValue} START WITH ${sequence.start} CACHE ${sequence.cache}${sequence.cycle ? ' CYCLE' : ''};`,
  ];
  if (sequence.ownedBy) statements.push(`ALTER SEQUENCE ${name} OWNED BY ${sequence.ownedBy};`);
  return statements;
}

export function createExtension(extension: ExtensionInfo): string {
  return `CREATE EXTENSION ${quoteIdent(extension.name)} WITH SCHEMA ${quoteIdent(extension.schema)} VERSION ${quoteLiteral(extension.version)};`;
}

export function createPolicy(table: QualifiedName, policy: PolicyInfo): string {
  const roles = policy.roles.map((role) => (role === 'public' ? 'PUBLIC' : quoteIdent(role))).join(', ');
  const using = policy.using !== null ? ` USING (${policy.using})` : '';
  const check = policy.withCheck !== null ? ` WITH CHECK (${policy.withCheck})` : '';
  return `CREATE POLICY ${quoteIdent(policy.name)} ON ${sqlName(table)} AS ${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${policy.command} TO ${roles}${using}${check};`;
}

/** A column's definition, as ADD COLUMN or inside CREATE TABLE. */
export function columnDefinition(column: ColumnInfo): string {
  const parts = [quoteIdent(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${column.collation}`);
  if (column.generated) parts.push(`GENERATED ALWAYS AS (${column.generated.replace(/ (STORED|VIRTUAL)$/, '')}) ${column.generated.endsWith('VIRTUAL') ? 'VIRTUAL' : 'STORED'}`);
  if (column.identity) parts.push(`GENERATED ${column.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/**
 * A table's definition: columns, constraints, indexes that back no constraint, triggers and
 * comments. It restores the shape of a dropped table, never its rows.
 */
export function createTable(table: TableInfo, related: { constraints: ConstraintInfo[]; indexes: IndexInfo[]; triggers: TriggerInfo[] }): string[] {
  const name = nameOf(table);
  const columns = Object.values(table.columns).sort((a, b) => a.position - b.position);
  const partition = table.partitionKey ? ` PARTITION BY ${table.partitionKey}` : '';
  const statements = [`CREATE TABLE ${sqlName(name)} (\n  ${columns.map(columnDefinition).join(',\n  ')}\n)${partition};`];
  for (const constraint of related.constraints) statements.push(addConstraint(name, constraint));
  for (const index of related.indexes) if (!index.constraint) statements.push(createIndex(index));
  for (const trigger of related.triggers) statements.push(...createTrigger(name, trigger));
  if (table.rowLevelSecurity) statements.push(`ALTER TABLE ${sqlName(name)} ENABLE ROW LEVEL SECURITY;`);
  if (table.comment !== null) statements.push(commentOn('TABLE', sqlName(name), table.comment));
  for (const column of columns) {
    if (column.comment !== null) statements.push(commentOn('COLUMN', `${sqlName(name)}.${quoteIdent(column.name)}`, column.comment));
  }
  return statements;
}

export function commentOn(keyword: string, target: string, comment: string | null): string {
  return `COMMENT ON ${keyword} ${target} IS ${comment === null ? 'NULL' : quoteLiteral(comment)};`;
}

const PRIVILEGE_LETTERS: Record<string, string> = {
  r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', D: 'TRUNCATE', x: 'REFERENCES', t: 'TRIGGER',
  X: 'EXECUTE', U: 'USAGE', C: 'CREATE', c: 'CONNECT', T: 'TEMPORARY', m: 'MAINTAIN',
};

/**
 * GRANT statements that give a recreated object the privileges it had, beyond its owner's own
 * (`grantee=privileges/grantor` ACL items; an empty grantee is PUBLIC; `*` marks a grant option).
 */
export function grantsFor(keyword: string, target: string, ownership: Ownership): string[] {
  const statements: string[] = [];
  for (const item of ownership.privileges) {
    const match = /^(.*)=([A-Za-z*]*)\/(.*)$/.exec(item);
    if (!match) continue;
    const grantee = match[1]!;
    if (grantee === ownership.owner) continue;
    const plain: string[] = [];
    const withOption: string[] = [];
    for (const [, letter, star] of match[2]!.matchAll(/([A-Za-z])(\*?)/g)) {
      const privilege = PRIVILEGE_LETTERS[letter!];
      if (privilege) (star ? withOption : plain).push(privilege);
    }
    const to = grantee === '' ? 'PUBLIC' : quoteIdent(unquoteAclName(grantee));
    if (plain.length > 0) statements.push(`GRANT ${plain.join(', ')} ON ${keyword} ${target} TO ${to};`);
    if (withOption.length > 0) statements.push(`GRANT ${withOption.join(', ')} ON ${keyword} ${target} TO ${to} WITH GRANT OPTION;`);
  }
  return statements;
}

/** ACL items quote role names with unusual characters like identifiers. */
function unquoteAclName(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}
