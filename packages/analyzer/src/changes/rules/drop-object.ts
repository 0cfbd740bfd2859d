import type { DropStmt, ObjectWithArgs } from 'libpg-query';
import { payload, qualifyNames } from '../ast.js';
import { displayName } from '../naming.js';
import { defineRule, FORWARD_FIX_OPTIONS, PRIOR_STATE_UNKNOWN } from '../rule.js';
import { functionIdentity, listItems, objectWords } from '../sql.js';
import type { Assessment } from '../types.js';

interface DropObject {
  what: string;
  objectType: string;
  name: string;
  cascade: boolean;
}

/** Dropping these with CASCADE can drop columns or tables that use them, with their data. */
const CASCADE_DESTROYS_DATA = new Set(['OBJECT_SCHEMA', 'OBJECT_TYPE', 'OBJECT_DOMAIN', 'OBJECT_EXTENSION']);

export const dropObject = defineRule<DropStmt, DropObject>({
  id: 'drop-object',
  kind: 'drop_object',
  title: 'Dropped object (view, function, sequence, type, trigger, extension, schema…)',
  explain: `A dropped view, function, trigger, type, policy, rule, extension or schema holds no application
data of its own, so it can be recreated from its definition as it was before the migration
(pg_get_viewdef, pg_get_functiondef… of the prior schema). The statement alone does not show that
definition: risky until the prior schema is read. A dropped sequence also loses its position, and a
materialized view its rows (recreate and refresh).
DROP SCHEMA, TYPE, DOMAIN or EXTENSION … CASCADE is irreversible: it drops the columns and tables that
use the object, with their data.`,
  on: ['DropStmt'],
  recognise(drop, context) {
    const type = drop.removeType ?? '';
    if (type === 'OBJECT_TABLE' || type === 'OBJECT_INDEX') return undefined;
    return (drop.objects ?? []).map((object) => {
      const functionObject = payload<ObjectWithArgs>(object, 'ObjectWithArgs');
      const name = functionObject
        ? displayName(functionIdentity(functionObject, context.defaultSchema).name)
        : objectName(type, listItems(object), context.defaultSchema);
      return {
        object: name,
        details: { what: objectWords(type), objectType: type, name, cascade: drop.behavior === 'DROP_CASCADE' },
      };
    });
  },
  assess({ details }): Assessment {
    if (details.cascade && CASCADE_DESTROYS_DATA.has(details.objectType)) {
      return {
        verdict: 'irreversible',
        evidence: 'static',
        reason: `DROP ${details.what.toUpperCase()} ${details.name} CASCADE also drops the columns and tables that use it, with their data: forward fix only.`,
        rollback: [],
        options: FORWARD_FIX_OPTIONS,
      };
    }
    const extra =
      details.objectType === 'OBJECT_SEQUENCE'
        ? ' Its current position is lost too: set it past the highest value in use when recreating it.'
        : details.objectType === 'OBJECT_MATVIEW'
          ? ' Its rows are derived: recreate it and refresh.'
          : '';
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Dropped ${details.what} ${details.name} holds no application data and can be recreated, but ${PRIOR_STATE_UNKNOWN}.${extra}`,
      rollback: [],
    };
  },
});

/** Triggers, policies and rules are named [schema?, table, name]; the rest [schema?, name]. */
function objectName(type: string, names: string[], defaultSchema: string): string {
  if (type === 'OBJECT_TRIGGER' || type === 'OBJECT_POLICY' || type === 'OBJECT_RULE') {
    const table = qualifyNames(names.slice(0, -1), defaultSchema);
    return `${displayName(table)}.${names.at(-1) ?? ''}`;
  }
  if (type === 'OBJECT_SCHEMA' || type === 'OBJECT_EXTENSION' || names.length === 0) return names.join('.');
  return displayName(qualifyNames(names, defaultSchema));
}
