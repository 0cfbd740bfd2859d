import type { DropStmt, ObjectWithArgs } from 'libpg-query';
import { dependentViews } from '../../catalog/lookup.js';
import { recreateObject, type ObjectRef } from '../../catalog/recreate.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import type { QualifiedName } from '../../sql/name.js';
import { payload, qualifyNames } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, FORWARD_FIX_OPTIONS, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { functionIdentity, listItems, objectWords } from '../sql.js';
import type { Assessment } from '../types.js';

interface DropObject {
  what: string;
  ref: ObjectRef;
  cascade: boolean;
  ifExists: boolean;
}

/** Dropping these with CASCADE can drop columns or tables that use them, with their data. */
const CASCADE_DESTROYS_DATA = new Set(['OBJECT_SCHEMA', 'OBJECT_TYPE', 'OBJECT_DOMAIN', 'OBJECT_EXTENSION']);

export const dropObject = defineRule<DropStmt, DropObject>({
  id: 'drop-object',
  kind: 'drop_object',
  readsPrior: true,
  title: 'Dropped object (view, function, sequence, type, trigger, extension, schema…)',
  explain: `A dropped view, function, trigger, type, policy, extension or schema holds no application data
of its own, so it can be recreated from its definition as it was before the migration (pg_get_viewdef,
pg_get_functiondef, pg_get_triggerdef… of the prior schema), with its comment and grants: safe once the
prior schema is read, risky without it. A dropped sequence also loses its position (set it past the
highest value in use), so it stays risky; a materialized view is recreated and refilled.
DROP SCHEMA, TYPE, DOMAIN or EXTENSION … CASCADE is irreversible: it drops the columns and tables that
use the object, with their data. Other CASCADE drops also remove dependent objects the rollback does not
recreate: risky.`,
  examples: [
    { sql: 'DROP VIEW active_users;', verdict: 'risky' },
    { sql: 'DROP SCHEMA legacy CASCADE;', verdict: 'irreversible' },
  ],
  on: ['DropStmt'],
  recognise(drop, context) {
    const type = drop.removeType ?? '';
    if (type === 'OBJECT_TABLE' || type === 'OBJECT_INDEX') return undefined;
    return (drop.objects ?? []).map((object) => {
      const ref = objectRef(type, object, context.defaultSchema);
      return {
        object: ref.display,
        details: { what: objectWords(type), ref, cascade: drop.behavior === 'DROP_CASCADE', ifExists: drop.missing_ok === true },
        ...(ref.table ? { target: { table: ref.table } } : {}),
      };
    });
  },
  assess({ details }, { prior }): Assessment {
    const { what, ref } = details;
    if (details.cascade && CASCADE_DESTROYS_DATA.has(ref.objectType)) {
      return {
        verdict: 'irreversible',
        evidence: 'static',
        reason: `DROP ${what.toUpperCase()} ${ref.display} CASCADE also drops the columns and tables that use it, with their data: forward fix only.`,
        rollback: [],
        options: FORWARD_FIX_OPTIONS,
      };
    }
    const recreated = prior ? recreateObject(prior, ref) : undefined;
    if (prior && !recreated && details.ifExists) {
      return { verdict: 'safe', evidence: 'catalog', reason: `${what} ${ref.display} did not exist before this migration: DROP … IF EXISTS did nothing.`, rollback: [] };
    }
    if (!recreated) {
      const extra =
        ref.objectType === 'OBJECT_SEQUENCE'
          ? ' Its position is lost too: set it past the highest value in use when recreating it.'
          : ref.objectType === 'OBJECT_MATVIEW'
            ? ' Its rows are derived: recreate it and refresh.'
            : '';
      return {
        verdict: 'risky',
        evidence: prior ? 'catalog' : 'static',
        reason: `Dropped ${what} ${ref.display} holds no application data and could be recreated, but ${prior ? 'migcheck cannot rebuild it from the prior schema' : PRIOR_STATE_UNKNOWN}.${extra}`,
        rollback: [],
      };
    }
    const rollback = recreated.statements.map((sql) => step(sql, 'before-app'));
    if (details.cascade && prior && VIEW_KINDS.has(ref.objectType)) {
      // CASCADE took the views and materialized views built on this one along: recreate them from the prior
      // schema too, each after what it reads. Other kinds of dependents (a function returning the view's row
      // type, a rule) are not recreated, so the verdict stays risky.
      const dependents = dependentViewsInOrder(prior, ref.name);
      const recreatedDependents = dependents.map((name) => recreateObject(prior, viewRef(prior, name)));
      const missing = dependents.filter((_name, index) => !recreatedDependents[index]);
      return {
        verdict: 'risky',
        evidence: 'catalog',
        reason: `Dropped ${what} ${ref.display} is recreated from its prior definition${dependents.length > 0 ? `, with the ${dependents.length} view${dependents.length === 1 ? '' : 's'} CASCADE dropped along (${dependents.map((name) => displayName(name)).join(', ')})` : ''}; any other object CASCADE dropped (a function using its row type, a rule) is not recreated.`,
        rollback: [...rollback, ...recreatedDependents.flatMap((item) => (item?.statements ?? []).map((sql) => step(sql, 'before-app')))],
        ...(missing.length > 0 ? { incomplete: `CASCADE also dropped ${missing.map((name) => displayName(name)).join(', ')}, which cannot be rebuilt from the prior schema.` } : {}),
      };
    }
    if (ref.objectType === 'OBJECT_SEQUENCE' || details.cascade) {
      return {
        verdict: 'risky',
        evidence: 'catalog',
        reason: details.cascade
          ? `Dropped ${what} ${ref.display} is recreated from its prior definition, but CASCADE also dropped objects that depend on it, which the rollback does not recreate.`
          : `Dropped sequence ${ref.display} is recreated from its prior definition, but its position is lost: set it past the highest value in use (SELECT setval(…)).`,
        rollback,
        ...(details.cascade ? { incomplete: `CASCADE also dropped the objects that depend on ${ref.display}; the rollback does not recreate them.` } : {}),
      };
    }
    return {
      verdict: 'safe',
      evidence: 'catalog',
      reason: `Dropped ${what} ${ref.display} held no application data: it is recreated from its prior definition.`,
      rollback,
    };
  },
});

/** What a DROP names: [schema?, table, name] for triggers, policies and rules; a signature for routines. */
function objectRef(objectType: string, object: Parameters<typeof listItems>[0], defaultSchema: string): ObjectRef {
  const routine = payload<ObjectWithArgs>(object, 'ObjectWithArgs');
  if (routine) {
    const identity = functionIdentity(routine, defaultSchema);
    return { objectType, display: displayName(identity.name), name: identity.name, argumentTypes: identity.argumentTypes };
  }
  const names = listItems(object);
  if (objectType === 'OBJECT_TRIGGER' || objectType === 'OBJECT_POLICY' || objectType === 'OBJECT_RULE') {
    const table = qualifyNames(names.slice(0, -1), defaultSchema);
    const member = names.at(-1) ?? '';
    return { objectType, display: `${displayName(table)}.${member}`, name: { schema: table.schema, name: member }, table };
  }
  if (objectType === 'OBJECT_SCHEMA' || objectType === 'OBJECT_EXTENSION') {
    const name = names.join('.');
    return { objectType, display: name, name: { schema: name, name } };
  }
  const name = qualifyNames(names, defaultSchema);
  return { objectType, display: displayName(name), name };
}

const VIEW_KINDS = new Set(['OBJECT_VIEW', 'OBJECT_MATVIEW']);

/** The prior schema's views and materialized views that read `relation`, directly or not, each after those it reads. */
function dependentViewsInOrder(prior: SchemaSnapshot, relation: QualifiedName): QualifiedName[] {
  const closure = new Map<string, QualifiedName>();
  const reads = new Map<string, Set<string>>(); // view → the views of the closure (or the dropped one) it reads
  const queue = [relation];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const currentKey = qualifiedName(current.schema, current.name);
    for (const key of dependentViews(prior, current)) {
      if (!reads.has(key)) reads.set(key, new Set());
      reads.get(key)!.add(currentKey);
      if (closure.has(key)) continue;
      const name = splitKey(prior, key);
      closure.set(key, name);
      queue.push(name);
    }
  }
  const ordered: QualifiedName[] = [];
  const done = new Set([qualifiedName(relation.schema, relation.name)]);
  let progress = true;
  while (ordered.length < closure.size && progress) {
    progress = false;
    for (const [key, name] of closure) {
      if (done.has(key) || ![...reads.get(key)!].every((read) => done.has(read))) continue;
      ordered.push(name);
      done.add(key);
      progress = true;
    }
  }
  // A cycle cannot exist among views; should the text match make one up, keep the rest in discovery order.
  for (const [key, name] of closure) if (!done.has(key)) ordered.push(name);
  return ordered;
}

function splitKey(prior: SchemaSnapshot, key: string): QualifiedName {
  const view = prior.views[key] ?? prior.materializedViews[key]!;
  return { schema: view.schema, name: view.name };
}

function viewRef(prior: SchemaSnapshot, name: QualifiedName): ObjectRef {
  const materialized = qualifiedName(name.schema, name.name) in prior.materializedViews;
  return { objectType: materialized ? 'OBJECT_MATVIEW' : 'OBJECT_VIEW', display: displayName(name), name };
}
