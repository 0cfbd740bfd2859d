/**
 * Small helpers over libpg-query's JSON AST, where every node is a one-key object `{ Tag: payload }`.
 */
import type { Node, RangeVar, TypeName } from 'libpg-query';
import type { QualifiedName } from './types.js';

export function nodeTag(node: Node | undefined): string | undefined {
  return node ? Object.keys(node)[0] : undefined;
}

/** The payload of a node if it has the given tag. */
export function payload<T>(node: Node | undefined, tag: string): T | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[tag] as T | undefined;
}

/** The string values of a list of `String` nodes (qualified names, column lists). */
export function strings(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((node) => payload<{ sval?: string }>(node, 'String')?.sval ?? '');
}

export function qualify(relation: RangeVar | undefined, defaultSchema: string): QualifiedName {
  return { schema: relation?.schemaname ?? defaultSchema, name: relation?.relname ?? '' };
}

/** A `names` list (e.g. ["public", "orders"] or ["orders"]) as a qualified name. */
export function qualifyNames(names: string[], defaultSchema: string): QualifiedName {
  const name = names.at(-1) ?? '';
  const schema = names.length >= 2 ? names.at(-2)! : defaultSchema;
  return { schema, name };
}

/** The first `location` found in a subtree (a byte offset), for pointing at a subcommand. */
export function firstLocation(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.location === 'number' && record.location >= 0) return record.location;
  for (const child of Object.values(record)) {
    const found = firstLocation(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Calls `visit(tag, node)` for every tagged node of a subtree, parents before children (libpg-query's JSON: a node
 * is `{ Tag: { …fields } }`, so every object key whose value is an object is a tag or a field holding nodes).
 */
export function forEachNode(tree: unknown, visit: (tag: string, node: unknown) => void): void {
  if (tree === null || typeof tree !== 'object') return;
  if (Array.isArray(tree)) {
    for (const item of tree) forEachNode(item, visit);
    return;
  }
  for (const [key, child] of Object.entries(tree)) {
    visit(key, child);
    forEachNode(child, visit);
  }
}

/** True when any node in the subtree has one of the tags. */
export function containsTag(value: unknown, tags: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => containsTag(item, tags));
  for (const [key, child] of Object.entries(value)) {
    if (tags.has(key)) return true;
    if (containsTag(child, tags)) return true;
  }
  return false;
}

export function integerConst(node: Node | undefined): number | undefined {
  const constant = payload<{ ival?: { ival?: number } }>(node, 'A_Const');
  if (constant?.ival) return constant.ival.ival ?? 0;
  return undefined;
}

export type { Node, RangeVar, TypeName };
