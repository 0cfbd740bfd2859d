/**
 * The order of rollback steps, by the dependencies Postgres enforces. Reverse statement order is right as long
 * as every statement has its own undo; it fails when a change of a created object is undone by the object's
 * DROP (./subsumption.ts): `CREATE TABLE t; CREATE FUNCTION f; CREATE TRIGGER … ON t … f()` has two
 * steps, `DROP FUNCTION f` then `DROP TABLE t`, and the first fails while the trigger stands. So the steps are
 * sorted topologically: a change whose statements (its own, and those of the changes its undo takes along)
 * name an object another change creates is undone before that object is dropped. Among steps free to go, the
 * reverse statement order is kept. Names are read from the statements' ASTs (relations, types, functions,
 * sequences named in string literals such as `nextval('s')`, schemas); a name matched too eagerly only
 * constrains the order more, and a cycle keeps the reverse order.
 */
import { parseSync } from '../sql/parser.js';
import type { ChangeKind } from '../changes/types.js';

/**
 * Kinds whose rollback may drop the object the change created. CREATE OR REPLACE of an object that did not exist
 * is undone by its DROP; when it existed, its rollback restores the old definition, which is as well done after
 * the objects that refer to it are undone (the order only gets stricter).
 */
const CREATES: ReadonlySet<ChangeKind> = new Set(['add_table', 'create_object', 'replace_object']);

/** A name a statement mentions: `schema` undefined when unqualified (it may be any schema on the search_path). */
interface NameRef {
  schema: string | undefined;
  name: string;
}

export interface OrderedUnit<T> {
  item: T;
  kind: ChangeKind;
  /** The object the change created (`schema.name`, or a schema's name), if its rollback drops one. */
  object: string;
  /** The statements of the change, and of every change its rollback undoes along with it. */
  statements: string[];
  /** Which migration (newest 0) and statement the change is: renames are followed within one migration. */
  migration: number;
  statementIndex: number;
  /** A rename or SET SCHEMA: later steps written with the names before the migration need it undone first. */
  renames: boolean;
  /** The rollback recreates an object from the prior schema's definition, which uses the names before the migration. */
  recreatesFromPrior: boolean;
  /** The rollback's statements. */
  rollback: string[];
}

/**
 * `units` in reverse statement order → the same units, each after every unit that must be undone before it.
 * Tables that depend on each other (foreign keys both ways) can only be dropped together: `mergeDrops` makes one
 * unit of such drops (`DROP TABLE a, b`), given the units that are left in a cycle; it returns undefined when
 * they are not all plain table drops.
 */
export function orderByDependencies<T>(given: Array<OrderedUnit<T>>, mergeDrops?: (cycle: T[]) => T | undefined): T[] {
  const units = [...given]; // merged cycles replace entries
  const references = units.map((unit) => unit.statements.flatMap(namesIn));
  const created = units.map((unit) => (CREATES.has(unit.kind) ? createdName(unit.object) : undefined));
  // before[i]: the units that must run before unit i.
  const before = units.map(() => new Set<number>());
  units.forEach((_unit, dropped) => {
    const object = created[dropped];
    if (!object) return;
    references.forEach((names, referrer) => {
      if (referrer === dropped) return;
      if (created[referrer] && sameObject(created[referrer]!, object)) return; // another change of the same name
      if (names.some((name) => refersTo(name, object))) before[dropped]!.add(referrer);
    });
  });
  // A definition from the prior schema names tables and columns as they were before the migration: the renames
  // of earlier statements must be undone before it is recreated.
  units.forEach((recreation, later) => {
    if (!recreation.recreatesFromPrior) return;
    const used = recreation.rollback.flatMap(namesIn).filter((name) => name.name !== '');
    units.forEach((rename, earlier) => {
      if (!rename.renames || rename.migration !== recreation.migration || rename.statementIndex >= recreation.statementIndex) return;
      const renamed = rename.statements.flatMap(namesIn).filter((name) => name.name !== '');
      if (used.some((name) => renamed.some((other) => sameName(name, other)))) before[later]!.add(earlier);
    });
  });
  const placed = new Set<number>();
  const order: number[] = [];
  while (order.length < units.length) {
    const next = units.findIndex((_unit, index) => !placed.has(index) && [...before[index]!].every((other) => placed.has(other)));
    if (next < 0) {
      const left = units.map((_unit, index) => index).filter((index) => !placed.has(index));
      const cycle = left.filter((index) => units[index]!.kind === 'add_table' && [...before[index]!].some((other) => !placed.has(other)));
      const merged = mergeDrops && cycle.length > 1 ? mergeDrops(cycle.map((index) => units[index]!.item)) : undefined;
      if (merged === undefined) {
        // A cycle that no order breaks: keep the reverse order for what is left.
        order.push(...left);
        break;
      }
      // One unit for the tables of the cycle, in the place of the first: what had to precede any of them precedes it.
      const [first, ...rest] = cycle as [number, ...number[]];
      units[first] = { ...units[first]!, item: merged };
      const members = new Set(cycle);
      for (const index of cycle) for (const other of before[index]!) if (!members.has(other)) before[first]!.add(other);
      before[first] = new Set([...before[first]!].filter((other) => !members.has(other)));
      for (const index of rest) placed.add(index);
      for (const dependants of before) for (const index of rest) if (dependants.delete(index)) dependants.add(first);
      before[first]!.delete(first);
      continue;
    }
    placed.add(next);
    order.push(next);
  }
  return order.map((index) => units[index]!.item);
}

/** `schema.name` (quoted parts as the report prints them: unquoted) or a bare schema name. */
function createdName(object: string): NameRef {
  const dot = object.indexOf('.');
  return dot < 0 ? { schema: undefined, name: object } : { schema: object.slice(0, dot), name: object.slice(dot + 1) };
}

function sameObject(a: NameRef, b: NameRef): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** Whether two mentions can be the same object (an unqualified one may be in any schema). */
function sameName(a: NameRef, b: NameRef): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** Whether a mention can be the created object: same name, and same schema when both are known; a schema by its name. */
function refersTo(name: NameRef, object: NameRef): boolean {
  if (object.schema === undefined) return name.schema === object.name || (name.schema === undefined && name.name === object.name);
  return name.name === object.name && (name.schema === undefined || name.schema === object.schema);
}

const parsedNames = new Map<string, NameRef[]>();

/** Every name the statement mentions. A statement that does not parse (it did once) mentions nothing. */
function namesIn(statement: string): NameRef[] {
  let names = parsedNames.get(statement);
  if (!names) {
    names = [];
    try {
      collect(parseSync(statement), names);
    } catch {
      names = [];
    }
    if (parsedNames.size > 10_000) parsedNames.clear();
    parsedNames.set(statement, names);
  }
  return names;
}

function stringsOf(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const parts = list.map((item) => (item as { String?: { sval?: string } })?.String?.sval);
  return parts.every((part): part is string => typeof part === 'string') ? parts : undefined;
}

function fromParts(parts: string[] | undefined): NameRef | undefined {
  if (!parts || parts.length === 0) return undefined;
  const name = parts.at(-1)!;
  return { schema: parts.length > 1 ? parts.at(-2) : undefined, name };
}

function collect(value: unknown, names: NameRef[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, names);
    return;
  }
  const node = value as Record<string, unknown>;
  const add = (name: NameRef | undefined) => {
    if (!name) return;
    names.push(name);
    if (name.schema !== undefined) names.push({ schema: name.schema, name: '' });
  };
  if (typeof node.relname === 'string') add({ schema: typeof node.schemaname === 'string' ? node.schemaname : undefined, name: node.relname });
  for (const key of ['funcname', 'objname', 'defnames', 'domainname', 'typeName']) add(fromParts(stringsOf(node[key])));
  if ('typemod' in node) add(fromParts(stringsOf(node.names)));
  // A string constant may name a relation (`nextval('receipt_ids')`, `'app.t'::regclass`).
  const text = (node.sval as { sval?: unknown } | undefined)?.sval;
  if (typeof text === 'string' && /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/.test(text)) add(fromParts(text.split('.')));
  for (const key of ['newschema', 'schemaname']) {
    if (typeof node[key] === 'string' && typeof node.relname !== 'string') add({ schema: node[key] as string, name: '' });
  }
  for (const child of Object.values(node)) collect(child, names);
}
