/**
 * Every rule, in the order they are asked. Where two rules look at the same place (DropStmt is
 * drop-table's, drop-index's or drop-object's), the first that recognises the statement wins, so the
 * specific rules come before the general ones, and unknown-statement is the fallback.
 */
import type { Rule, RuleDoc } from './rule.js';
import { addColumn } from './rules/add-column.js';
import { addConstraint } from './rules/add-constraint.js';
import { addEnumValue } from './rules/add-enum-value.js';
import { addIndex } from './rules/add-index.js';
import { addTable } from './rules/add-table.js';
import { alterColumnType } from './rules/alter-column-type.js';
import { alterObject } from './rules/alter-object.js';
import { attachPartition } from './rules/attach-partition.js';
import { cluster } from './rules/cluster.js';
import { codeMigration } from './rules/code-migration.js';
import { createExtension } from './rules/create-extension.js';
import { createObject } from './rules/create-object.js';
import { dataChange } from './rules/data-change.js';
import { dropColumn } from './rules/drop-column.js';
import { dropConstraint } from './rules/drop-constraint.js';
import { dropDefault } from './rules/drop-default.js';
import { dropIndex } from './rules/drop-index.js';
import { dropNotNull } from './rules/drop-not-null.js';
import { dropObject } from './rules/drop-object.js';
import { dropTable } from './rules/drop-table.js';
import { proceduralCode } from './rules/procedural-code.js';
import { noInherit } from './rules/no-inherit.js';
import { refreshMaterializedView } from './rules/refresh-materialized-view.js';
import { relationSettings } from './rules/relation-settings.js';
import { renameColumn } from './rules/rename-column.js';
import { renameObject } from './rules/rename-object.js';
import { renameTable } from './rules/rename-table.js';
import { replaceObject } from './rules/replace-object.js';
import { setDefault } from './rules/set-default.js';
import { setNotNull } from './rules/set-not-null.js';
import { unknownStatement } from './rules/unknown.js';

export const RULES: readonly Rule[] = [
  addColumn,
  dropColumn,
  alterColumnType,
  addTable,
  dropTable,
  renameColumn,
  renameTable,
  renameObject,
  addIndex,
  dropIndex,
  addConstraint,
  dropConstraint,
  setNotNull,
  dropNotNull,
  setDefault,
  dropDefault,
  addEnumValue,
  createExtension,
  createObject,
  dropObject,
  replaceObject,
  cluster,
  refreshMaterializedView,
  attachPartition,
  noInherit,
  relationSettings,
  alterObject,
  dataChange,
  proceduralCode,
  codeMigration,
  unknownStatement,
];

const RULES_BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

const RULES_BY_SELECTOR = new Map<string, Rule[]>();
for (const rule of RULES) {
  for (const selector of rule.on) {
    const list = RULES_BY_SELECTOR.get(selector) ?? [];
    list.push(rule);
    RULES_BY_SELECTOR.set(selector, list);
  }
}

export function rulesFor(selector: string): readonly Rule[] {
  return RULES_BY_SELECTOR.get(selector) ?? [];
}

export function ruleById(id: string): Rule | undefined {
  return RULES_BY_ID.get(id);
}

function docOf({ id, kind, title, seed, explain, examples }: Rule): RuleDoc {
  return { id, kind, title, ...(seed ? { seed } : {}), explain, ...(examples ? { examples } : {}) };
}

/** The rules' documentation, for `migcheck explain` and the README. */
export function ruleDocs(): RuleDoc[] {
  return RULES.map(docOf);
}

export function ruleDoc(id: string): RuleDoc | undefined {
  const rule = RULES_BY_ID.get(id);
  return rule ? docOf(rule) : undefined;
}

export { unknownStatement };
