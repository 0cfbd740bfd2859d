import type { CreateFunctionStmt, CreateTrigStmt, DefineStmt, RuleStmt, ViewStmt } from 'libpg-query';
import { qualify, qualifyNames, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, PRIOR_STATE_UNKNOWN } from '../rule.js';
import { OBJECT_KEYWORD } from '../sql.js';
import type { ChangeDraft, QualifiedName } from '../types.js';

interface ReplaceObject {
  what: string;
  name: string;
}

export const replaceObject = defineRule<Record<string, unknown>, ReplaceObject>({
  id: 'replace-object',
  kind: 'replace_object',
  title: 'CREATE OR REPLACE (view, function, procedure, trigger, rule)',
  explain: `CREATE OR REPLACE either creates an object or replaces its definition. The rollback restores the
previous definition (pg_get_viewdef / pg_get_functiondef of the prior schema), or drops the object if it
did not exist before. The statement alone shows neither, so without the prior schema the rollback
cannot be written: risky. No table data changes.`,
  on: ['ViewStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'RuleStmt', 'DefineStmt'],
  recognise(node, context): ChangeDraft<ReplaceObject> | undefined {
    if (node.replace !== true) return undefined;
    const schema = context.defaultSchema;
    const made = (what: string, name: string, table?: QualifiedName): ChangeDraft<ReplaceObject> => ({
      object: name,
      details: { what, name },
      ...(table ? { target: { table } } : {}),
    });
    switch (context.statement.tag) {
      case 'ViewStmt':
        return made('view', displayName(qualify((node as ViewStmt).view, schema)));
      case 'CreateFunctionStmt': {
        const create = node as CreateFunctionStmt;
        return made(create.is_procedure ? 'procedure' : 'function', displayName(qualifyNames(strings(create.funcname), schema)));
      }
      case 'CreateTrigStmt': {
        const create = node as CreateTrigStmt;
        const table = qualify(create.relation, schema);
        return made('trigger', `${displayName(table)}.${create.trigname ?? ''}`, table);
      }
      case 'RuleStmt': {
        const create = node as RuleStmt;
        const table = qualify(create.relation, schema);
        return made('rule', `${displayName(table)}.${create.rulename ?? ''}`, table);
      }
      default: {
        const define = node as DefineStmt;
        return made((OBJECT_KEYWORD[define.kind ?? ''] ?? 'object').toLowerCase(), displayName(qualifyNames(strings(define.defnames), schema)));
      }
    }
  },
  assess({ details }) {
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `CREATE OR REPLACE ${details.what} ${details.name}: ${PRIOR_STATE_UNKNOWN}, so the previous definition (or whether there was one) is not known and cannot be restored.`,
      rollback: [],
    };
  },
});
