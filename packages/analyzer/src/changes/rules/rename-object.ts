import type { AlterEnumStmt, ObjectWithArgs, RenameStmt } from 'libpg-query';
import { payload, qualify, qualifyNames, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, quoteLiteral, sqlName } from '../../sql/quote.js';
import { defineRule, step } from '../rule.js';
import { functionIdentity, functionSignature, listItems, OBJECT_KEYWORD, objectWords } from '../sql.js';

interface RenameObject {
  what: string;
  from: string;
  to: string;
  /** The statement that renames it back, when migcheck can write it. */
  inverse: string | undefined;
  /** ALTER … IF EXISTS of a relation: the statement may have done nothing. */
  ifExists?: boolean;
}

export const renameObject = defineRule<RenameStmt | AlterEnumStmt, RenameObject>({
  id: 'rename-object',
  kind: 'rename_object',
  readsPrior: false,
  title: 'Renamed object (index, view, sequence, constraint, trigger, function, type, schema, enum value…)',
  explain: `Renaming an index, view, sequence, constraint, trigger, policy, function, type, schema or enum
value is rolled back by renaming it back; no data changes. The rename back runs before the old
application version is deployed, since that version uses the old name. For a kind of object migcheck
cannot write the reverse rename for, the change is risky; so is ALTER INDEX/VIEW/SEQUENCE … IF EXISTS, which
may have renamed nothing (renaming back would then rename another object of the new name).`,
  examples: [
    { sql: 'ALTER INDEX users_idx RENAME TO people_idx;', verdict: 'safe' },
    { sql: 'ALTER PUBLICATION p RENAME TO q;', verdict: 'risky' },
  ],
  on: ['RenameStmt', 'AlterEnumStmt'],
  recognise(node, context) {
    if (context.statement.tag === 'AlterEnumStmt') {
      const alter = node as AlterEnumStmt;
      if (!alter.oldVal || !alter.newVal) return undefined;
      const type = qualifyNames(strings(alter.typeName), context.defaultSchema);
      return {
        object: displayName(type),
        details: {
          what: 'enum value',
          from: alter.oldVal,
          to: alter.newVal,
          inverse: `ALTER TYPE ${sqlName(type)} RENAME VALUE ${quoteLiteral(alter.newVal)} TO ${quoteLiteral(alter.oldVal)};`,
        },
      };
    }
    const rename = node as RenameStmt;
    if (!rename.newname || rename.renameType === 'OBJECT_COLUMN' || rename.renameType === 'OBJECT_TABLE') return undefined;
    const schema = context.defaultSchema;
    const keyword = OBJECT_KEYWORD[rename.renameType ?? ''];
    const newName = rename.newname;
    switch (rename.renameType) {
      case 'OBJECT_INDEX':
      case 'OBJECT_SEQUENCE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE': {
        const old = qualify(rename.relation, schema);
        const renamed = { schema: old.schema, name: newName };
        const renameBack = result(displayName(old), objectWords(rename.renameType), old.name, newName, `ALTER ${keyword} ${sqlName(renamed)} RENAME TO ${quoteIdent(old.name)};`);
        return rename.missing_ok === true ? { ...renameBack, details: { ...renameBack.details, ifExists: true } } : renameBack;
      }
      case 'OBJECT_TABCONSTRAINT':
      case 'OBJECT_TRIGGER':
      case 'OBJECT_POLICY':
      case 'OBJECT_RULE': {
        const table = qualify(rename.relation, schema);
        const from = rename.subname ?? '';
        const inverse =
          rename.renameType === 'OBJECT_TABCONSTRAINT'
            ? `ALTER TABLE ${sqlName(table)} RENAME CONSTRAINT ${quoteIdent(newName)} TO ${quoteIdent(from)};`
            : `ALTER ${keyword} ${quoteIdent(newName)} ON ${sqlName(table)} RENAME TO ${quoteIdent(from)};`;
        return { ...result(`${displayName(table)}.${from}`, objectWords(rename.renameType), from, newName, inverse), target: { table } };
      }
      case 'OBJECT_SCHEMA': {
        const from = rename.subname ?? '';
        return result(from, 'schema', from, newName, `ALTER SCHEMA ${quoteIdent(newName)} RENAME TO ${quoteIdent(from)};`);
      }
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN':
      case 'OBJECT_COLLATION':
      case 'OBJECT_STATISTIC_EXT': {
        const old = qualifyNames(listItems(rename.object), schema);
        const renamed = { schema: old.schema, name: newName };
        return result(displayName(old), objectWords(rename.renameType), old.name, newName, `ALTER ${keyword} ${sqlName(renamed)} RENAME TO ${quoteIdent(old.name)};`);
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE':
      case 'OBJECT_AGGREGATE': {
        const identity = functionIdentity(payload<ObjectWithArgs>(rename.object, 'ObjectWithArgs') ?? {}, schema);
        const renamed = { ...identity, name: { schema: identity.name.schema, name: newName } };
        return result(displayName(identity.name), objectWords(rename.renameType), identity.name.name, newName, `ALTER ${keyword} ${functionSignature(renamed)} RENAME TO ${quoteIdent(identity.name.name)};`);
      }
      case 'OBJECT_ATTRIBUTE': {
        const type = qualify(rename.relation, schema);
        const from = rename.subname ?? '';
        return result(`${displayName(type)}.${from}`, 'attribute', from, newName, `ALTER TYPE ${sqlName(type)} RENAME ATTRIBUTE ${quoteIdent(newName)} TO ${quoteIdent(from)};`);
      }
      case 'OBJECT_DOMCONSTRAINT': {
        const domain = qualifyNames(listItems(rename.object), schema);
        const from = rename.subname ?? '';
        return result(`${displayName(domain)}.${from}`, 'domain constraint', from, newName, `ALTER DOMAIN ${sqlName(domain)} RENAME CONSTRAINT ${quoteIdent(newName)} TO ${quoteIdent(from)};`);
      }
      default: {
        const from = rename.subname ?? listItems(rename.object).join('.');
        return result(from, objectWords(rename.renameType), from, newName, undefined);
      }
    }
  },
  assess({ details }) {
    if (!details.inverse) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `Renaming a ${details.what} (${details.from} → ${details.to}): migcheck cannot write the reverse rename for this kind of object; rename it back by hand.`,
        rollback: [],
      };
    }
    // Like CREATE … IF NOT EXISTS: if it did not exist, the statement did nothing, and renaming back would rename
    // another object of the new name.
    if (details.ifExists) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `ALTER … IF EXISTS: ${details.what} ${details.from} may not have existed, so the rename may have done nothing; renaming ${details.to} back would then rename another ${details.what}.`,
        rollback: [step(details.inverse, 'before-app')],
      };
    }
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `Renaming ${details.what} ${details.from} to ${details.to} is undone by renaming it back; no data changes.`,
      rollback: [step(details.inverse, 'before-app')],
    };
  },
});

function result(object: string, what: string, from: string, to: string, inverse: string | undefined) {
  return { object, details: { what, from, to, inverse } };
}
