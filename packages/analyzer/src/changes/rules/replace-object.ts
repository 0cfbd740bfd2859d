import type { CreateFunctionStmt, CreateTrigStmt, DefineStmt, RuleStmt, ViewStmt } from 'libpg-query';
import { dependentViews, findFunction, findView, routineMayHaveExisted } from '../../catalog/lookup.js';
import { recreateObject, type ObjectRef } from '../../catalog/recreate.js';
import { qualifiedName, type SchemaSnapshot } from '../../catalog/snapshot.js';
import { qualify, qualifyNames, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { functionArgumentTypes, functionSignature, OBJECT_KEYWORD } from '../sql.js';
import type { Assessment, ChangeDraft } from '../types.js';

interface ReplaceObject {
  what: string;
  ref: ObjectRef;
  /** The statement that removes it when it did not exist before; undefined for kinds without a builder. */
  drop: string | undefined;
}

export const replaceObject = defineRule<Record<string, unknown>, ReplaceObject>({
  id: 'replace-object',
  kind: 'replace_object',
  readsPrior: true,
  title: 'CREATE OR REPLACE (view, function, procedure, trigger, rule)',
  explain: `CREATE OR REPLACE either creates an object or replaces its definition. The rollback restores the
previous definition (pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef of the prior schema), or drops
the object if it did not exist before. The statement alone shows neither, so without the prior schema
the rollback cannot be written: risky. No table data changes. A view is restored by dropping and
recreating it, which fails if other views that existed before depend on it.`,
  examples: [
    { sql: 'CREATE OR REPLACE VIEW active_users AS SELECT * FROM users;', verdict: 'risky' },
  ],
  on: ['ViewStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'RuleStmt', 'DefineStmt'],
  recognise(node, context): ChangeDraft<ReplaceObject> | undefined {
    if (node.replace !== true) return undefined;
    const schema = context.defaultSchema;
    switch (context.statement.tag) {
      case 'ViewStmt': {
        const name = qualify((node as ViewStmt).view, schema);
        return draft('view', { objectType: 'OBJECT_VIEW', display: displayName(name), name }, `DROP VIEW ${sqlName(name)};`);
      }
      case 'CreateFunctionStmt': {
        const create = node as CreateFunctionStmt;
        const identity = { name: qualifyNames(strings(create.funcname), schema), argumentTypes: functionArgumentTypes(create.parameters) };
        const what = create.is_procedure ? 'procedure' : 'function';
        const ref = { objectType: create.is_procedure ? 'OBJECT_PROCEDURE' : 'OBJECT_FUNCTION', display: displayName(identity.name), ...identity };
        return draft(what, ref, `DROP ${what.toUpperCase()} ${functionSignature(identity)};`);
      }
      case 'CreateTrigStmt': {
        const create = node as CreateTrigStmt;
        const table = qualify(create.relation, schema);
        const name = create.trigname ?? '';
        const ref = { objectType: 'OBJECT_TRIGGER', display: `${displayName(table)}.${name}`, name: { schema: table.schema, name }, table };
        return { ...draft('trigger', ref, `DROP TRIGGER ${quoteIdent(name)} ON ${sqlName(table)};`), target: { table } };
      }
      case 'RuleStmt': {
        const create = node as RuleStmt;
        const table = qualify(create.relation, schema);
        const name = create.rulename ?? '';
        const ref = { objectType: 'OBJECT_RULE', display: `${displayName(table)}.${name}`, name: { schema: table.schema, name }, table };
        return { ...draft('rule', ref, `DROP RULE ${quoteIdent(name)} ON ${sqlName(table)};`), target: { table } };
      }
      default: {
        const define = node as DefineStmt;
        const name = qualifyNames(strings(define.defnames), schema);
        return draft((OBJECT_KEYWORD[define.kind ?? ''] ?? 'object').toLowerCase(), { objectType: define.kind ?? '', display: displayName(name), name }, undefined);
      }
    }
  },
  assess({ details }, { prior }): Assessment {
    const { what, ref } = details;
    if (!prior) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `CREATE OR REPLACE ${what} ${ref.display}: ${PRIOR_STATE_UNKNOWN}, so the previous definition (or whether there was one) is not known and cannot be restored.`,
        rollback: [],
      };
    }
    const previous = recreateObject(prior, ref);
    const dependents = ref.objectType === 'OBJECT_VIEW' && previous ? dependentViews(prior, ref.name) : [];
    if (dependents.length > 0) {
      return {
        verdict: 'risky',
        evidence: 'catalog',
        reason: `CREATE OR REPLACE view ${ref.display}: restoring it means dropping and recreating it, but ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it; recreate those too.`,
        rollback: [],
      };
    }
    if (previous && details.drop) {
      // A function is replaced in place (CREATE OR REPLACE keeps dependent triggers); a view or trigger is recreated.
      const statements = ref.objectType === 'OBJECT_FUNCTION' || ref.objectType === 'OBJECT_PROCEDURE' ? previous.statements : [details.drop, ...previous.statements];
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `CREATE OR REPLACE ${what} ${ref.display}: the previous definition is restored from the prior schema. No table data changes.`,
        rollback: statements.map((sql) => step(sql, 'before-app')),
      };
    }
    if (!previous && details.drop && !existedBefore(prior, ref)) {
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `${what} ${ref.display} did not exist before this migration: dropping it undoes CREATE OR REPLACE.`,
        rollback: [step(details.drop, 'after-app')],
      };
    }
    return {
      verdict: 'risky',
      evidence: 'catalog',
      reason: `CREATE OR REPLACE ${what} ${ref.display}: migcheck cannot rebuild its previous definition from the prior schema.`,
      rollback: [],
    };
  },
});

function draft(what: string, ref: ObjectRef, drop: string | undefined): ChangeDraft<ReplaceObject> {
  return { object: ref.display, details: { what, ref, drop } };
}

/** Whether the object was there before; for kinds the snapshot does not hold (rules), never assume it was not. */
function existedBefore(prior: SchemaSnapshot, ref: ObjectRef): boolean {
  switch (ref.objectType) {
    case 'OBJECT_VIEW':
      return findView(prior, ref.name) !== undefined;
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
      return findFunction(prior, ref.name, ref.argumentTypes) !== undefined || routineMayHaveExisted(prior, ref.name, ref.argumentTypes);
    case 'OBJECT_TRIGGER':
      return ref.table !== undefined && qualifiedName(ref.table.schema, ref.table.name, ref.name.name) in prior.triggers;
    default:
      return true;
  }
}
