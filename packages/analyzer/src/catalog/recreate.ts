/**
 * Recreating a dropped or replaced object as it was in the prior schema: its definition, comment and
 * grants. Used by the drop-object and replace-object rules.
 */
import { quoteIdent, sqlName } from '../sql/quote.js';
import type { QualifiedName } from '../sql/name.js';
import {
  commentOn,
  createComposite,
  createDomain,
  createEnum,
  createExtension,
  createFunction,
  createIndex,
  createPolicy,
  createSequence,
  createTrigger,
  createView,
  grantsFor,
} from './ddl.js';
import { findFunction, findView } from './lookup.js';
import { qualifiedName, type SchemaSnapshot } from './snapshot.js';

/** An object as a statement names it. */
export interface ObjectRef {
  /** libpg-query's ObjectType, e.g. OBJECT_VIEW. */
  objectType: string;
  /** For the report: `public.v`, `public.users.audit` (a trigger on users). */
  display: string;
  /** Schema-qualified name; for a schema or extension, both parts are its name. */
  name: QualifiedName;
  /** Routines: input argument types; undefined when the statement gave none. */
  argumentTypes?: string[] | undefined;
  /** Triggers, policies and rules: the table they belong to. */
  table?: QualifiedName;
}

export interface Recreation {
  statements: string[];
}

export function recreateObject(prior: SchemaSnapshot, ref: ObjectRef): Recreation | undefined {
  const target = sqlName(ref.name);
  const key = qualifiedName(ref.name.schema, ref.name.name);
  const withExtras = (keyword: string, on: string, definition: string[], info: { comment: string | null; owner?: string | null; privileges?: string[] }) => ({
    statements: [
      ...definition,
      ...(info.comment !== null ? [commentOn(keyword, on, info.comment)] : []),
      ...(info.privileges ? grantsFor(keyword === 'VIEW' || keyword === 'MATERIALIZED VIEW' ? 'TABLE' : keyword, on, { owner: info.owner ?? null, privileges: info.privileges }) : []),
    ],
  });

  switch (ref.objectType) {
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW': {
      const view = findView(prior, ref.name);
      if (!view || view.materialized !== (ref.objectType === 'OBJECT_MATVIEW')) return undefined;
      const definition = [createView(view.info, view.materialized, 'populated' in view.info ? Boolean(view.info.populated) : true)];
      if (view.materialized) {
        for (const index of Object.values(prior.indexes)) if (index.table === key) definition.push(createIndex(index));
      }
      return withExtras(view.materialized ? 'MATERIALIZED VIEW' : 'VIEW', target, definition, view.info);
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE': {
      const fn = findFunction(prior, ref.name, ref.argumentTypes);
      const definition = fn ? createFunction(fn) : undefined;
      if (!fn || !definition) return undefined;
      const keyword = fn.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION';
      return withExtras(keyword, `${target}(${fn.identityArguments})`, [definition], fn);
    }
    case 'OBJECT_TRIGGER': {
      if (!ref.table) return undefined;
      const trigger = prior.triggers[qualifiedName(ref.table.schema, ref.table.name, ref.name.name)];
      if (!trigger) return undefined;
      return withExtras('TRIGGER', `${quoteIdent(trigger.name)} ON ${sqlName(ref.table)}`, createTrigger(ref.table, trigger), trigger);
    }
    case 'OBJECT_POLICY': {
      if (!ref.table) return undefined;
      const policy = prior.policies[qualifiedName(ref.table.schema, ref.table.name, ref.name.name)];
      if (!policy) return undefined;
      return withExtras('POLICY', `${quoteIdent(policy.name)} ON ${sqlName(ref.table)}`, [createPolicy(ref.table, policy)], policy);
    }
    case 'OBJECT_TYPE': {
      const enumType = prior.enums[key];
      if (enumType) return withExtras('TYPE', target, [createEnum(enumType)], enumType);
      const composite = prior.compositeTypes[key];
      if (composite) return withExtras('TYPE', target, [createComposite(composite)], composite);
      return undefined;
    }
    case 'OBJECT_DOMAIN': {
      const domain = prior.domains[key];
      return domain ? withExtras('DOMAIN', target, createDomain(domain), domain) : undefined;
    }
    case 'OBJECT_SEQUENCE': {
      const sequence = prior.sequences[key];
      return sequence ? withExtras('SEQUENCE', target, createSequence(sequence), sequence) : undefined;
    }
    case 'OBJECT_EXTENSION': {
      const extension = prior.extensions[ref.name.name];
      return extension ? { statements: [createExtension(extension)] } : undefined;
    }
    case 'OBJECT_SCHEMA': {
      const schema = prior.schemas[ref.name.name];
      if (!schema) return undefined;
      return withExtras('SCHEMA', quoteIdent(schema.name), [`CREATE SCHEMA ${quoteIdent(schema.name)};`], schema);
    }
    default:
      return undefined;
  }
}
