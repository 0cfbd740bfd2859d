import type {
  AlterDomainStmt,
  AlterObjectSchemaStmt,
  AlterOwnerStmt,
  AlterTableCmd,
  ColumnDef,
  CommentStmt,
  Constraint,
  GrantStmt,
  Node,
  ObjectWithArgs,
  PartitionCmd,
  RangeVar,
} from 'libpg-query';
import { commentOn } from '../../catalog/ddl.js';
import { findComment, findOwner, type PropertyLookup } from '../../catalog/lookup.js';
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import { payload, qualify, qualifyNames, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import type { RecogniseContext } from '../rule.js';
import { defineRule, PRIOR_STATE_UNKNOWN, step } from '../rule.js';
import { alterRelation, functionIdentity, functionSignature, listItems, OBJECT_KEYWORD, objectWords, roleName } from '../sql.js';
import { formatTypeName } from '../typename.js';
import type { Assessment, ChangeDraft } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface AlterObject {
  /** What the statement does, in words ("enable row level security on public.orders"). */
  action: string;
  /** The statement that undoes it, when the statement itself shows the prior state. */
  inverse: string | undefined;
  /** True when nothing needs undoing (VALIDATE CONSTRAINT). */
  nothingToUndo: boolean;
  /** A comment or owner the statement overwrites: restored from the prior schema. */
  restore?: Restore;
  /** SET SCHEMA of a relation: the schema it moves to. */
  newSchema?: string;
}

type Restore =
  | { property: 'comment'; keyword: string; target: string; lookup: PropertyLookup }
  | { property: 'owner'; alter: string; lookup: PropertyLookup };

/** ALTER TABLE subcommands that toggle a setting: the statement shows the prior state, the inverse is the opposite toggle. */
const TOGGLES: Record<string, { words: string; inverse: (name: string | undefined) => string }> = {
  AT_EnableRowSecurity: { words: 'enable row level security', inverse: () => 'DISABLE ROW LEVEL SECURITY' },
  AT_DisableRowSecurity: { words: 'disable row level security', inverse: () => 'ENABLE ROW LEVEL SECURITY' },
  AT_ForceRowSecurity: { words: 'force row level security', inverse: () => 'NO FORCE ROW LEVEL SECURITY' },
  AT_NoForceRowSecurity: { words: 'stop forcing row level security', inverse: () => 'FORCE ROW LEVEL SECURITY' },
  AT_SetLogged: { words: 'set logged', inverse: () => 'SET UNLOGGED' },
  AT_SetUnLogged: { words: 'set unlogged', inverse: () => 'SET LOGGED' },
  AT_EnableTrig: { words: 'enable trigger', inverse: (name) => `DISABLE TRIGGER ${quoteIdent(name ?? '')}` },
  AT_DisableTrig: { words: 'disable trigger', inverse: (name) => `ENABLE TRIGGER ${quoteIdent(name ?? '')}` },
  AT_EnableTrigAll: { words: 'enable all triggers', inverse: () => 'DISABLE TRIGGER ALL' },
  AT_DisableTrigAll: { words: 'disable all triggers', inverse: () => 'ENABLE TRIGGER ALL' },
  AT_EnableTrigUser: { words: 'enable user triggers', inverse: () => 'DISABLE TRIGGER USER' },
  AT_DisableTrigUser: { words: 'disable user triggers', inverse: () => 'ENABLE TRIGGER USER' },
  AT_EnableRule: { words: 'enable rule', inverse: (name) => `DISABLE RULE ${quoteIdent(name ?? '')}` },
  AT_DisableRule: { words: 'disable rule', inverse: (name) => `ENABLE RULE ${quoteIdent(name ?? '')}` },
};

/** ALTER TABLE subcommands that overwrite a setting whose prior value the statement does not show. */
const OVERWRITES: Record<string, string> = {
  AT_ChangeOwner: 'change owner',
  AT_SetStatistics: 'set statistics target',
  AT_SetStorage: 'set storage',
  AT_SetCompression: 'set compression',
  AT_SetOptions: 'set column options',
  AT_ResetOptions: 'reset column options',
  AT_SetRelOptions: 'set storage parameters',
  AT_ResetRelOptions: 'reset storage parameters',
  AT_ReplaceRelOptions: 'replace storage parameters',
  AT_ReplicaIdentity: 'set replica identity',
  AT_SetTableSpace: 'set tablespace',
  AT_SetAccessMethod: 'set access method',
  AT_DetachPartition: 'detach partition',
  AT_DetachPartitionFinalize: 'finalize detach partition',
  AT_DropIdentity: 'drop identity',
  AT_SetIdentity: 'change identity options',
  AT_AlterConstraint: 'alter constraint',
  AT_SetExpression: 'change generation expression',
  AT_DropExpression: 'drop generation expression',
  AT_GenericOptions: 'change foreign-table options',
  AT_AlterColumnGenericOptions: 'change column options',
  AT_AddOf: 'bind to a composite type',
  AT_DropOf: 'unbind from its composite type',
  AT_EnableAlwaysTrig: 'enable trigger always',
  AT_EnableReplicaTrig: 'enable trigger on replicas',
  AT_EnableAlwaysRule: 'enable rule always',
  AT_EnableReplicaRule: 'enable rule on replicas',
};

const OTHER_ALTERS = [
  'AlterSeqStmt', 'AlterFunctionStmt', 'AlterExtensionStmt', 'AlterExtensionContentsStmt', 'AlterDefaultPrivilegesStmt',
  'AlterPolicyStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'AlterDatabaseStmt', 'AlterDatabaseSetStmt',
  'AlterDatabaseRefreshCollStmt', 'AlterSystemStmt', 'AlterTSConfigurationStmt', 'AlterTSDictionaryStmt',
  'AlterOperatorStmt', 'AlterTypeStmt', 'AlterCollationStmt', 'AlterStatsStmt', 'AlterEventTrigStmt',
  'AlterPublicationStmt', 'AlterSubscriptionStmt', 'AlterForeignServerStmt', 'AlterFdwStmt',
  'AlterTableSpaceOptionsStmt', 'AlterTableMoveAllStmt', 'AlterUserMappingStmt', 'SecLabelStmt', 'AlterOwnerStmt',
];

export const alterObject = defineRule<Record<string, unknown>, AlterObject>({
  id: 'alter-object',
  kind: 'alter_object',
  title: 'Altered object property (owner, privileges, comment, row security, triggers, schema, settings…)',
  explain: `Statements that change a property of an object rather than its data: GRANT/REVOKE, COMMENT,
OWNER TO, SET SCHEMA, ENABLE/DISABLE ROW LEVEL SECURITY or TRIGGER, SET LOGGED/UNLOGGED,
INHERIT/NO INHERIT, ATTACH PARTITION, storage parameters, statistics targets, sequence and function
options, and the like. None of them changes stored rows.
Where the statement itself shows the state before it (ENABLE ↔ DISABLE, GRANT ↔ REVOKE, SET SCHEMA back
to the old schema, ATTACH ↔ DETACH, ADD ↔ DROP IDENTITY), the rollback is the opposite statement: safe.
VALIDATE CONSTRAINT needs no rollback. Where the statement overwrites a value it does not show (the
old owner, comment, options or settings), the rollback cannot be written without the prior schema: risky.
GRANT … ON ALL TABLES IN SCHEMA is risky too: revoking it would also revoke grants that existed before.`,
  on: [
    'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'AlterObjectSchemaStmt', 'AlterDomainStmt', ...OTHER_ALTERS,
    ...Object.keys(TOGGLES).map((subtype) => `AlterTableCmd:${subtype}`),
    ...Object.keys(OVERWRITES).map((subtype) => `AlterTableCmd:${subtype}`),
    'AlterTableCmd:AT_AddInherit', 'AlterTableCmd:AT_DropInherit', 'AlterTableCmd:AT_AttachPartition',
    'AlterTableCmd:AT_AddIdentity', 'AlterTableCmd:AT_ValidateConstraint', 'AlterTableCmd:AT_AddColumn',
  ],
  recognise(node, context) {
    const tag = context.statement.tag;
    if (tag === 'AlterTableStmt') return recogniseAlterTable(node as AlterTableCmd, context);
    return recogniseStatement(tag, node, context);
  },
  assess({ details }, { prior }): Assessment {
    if (details.restore && prior) return restoreFromPrior(details, details.restore, prior);
    if (details.nothingToUndo) {
      return { verdict: 'safe', evidence: 'static', reason: `${capitalise(details.action)}: nothing to undo; no definition or data changes.`, rollback: [] };
    }
    if (details.inverse) {
      return {
        verdict: 'safe',
        evidence: 'static',
        reason: `${capitalise(details.action)}: no stored data changes, and the opposite statement restores the prior state.`,
        rollback: [step(details.inverse, 'before-app')],
      };
    }
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `${capitalise(details.action)}: no stored data changes, but ${PRIOR_STATE_UNKNOWN}, so the prior setting cannot be restored.`,
      rollback: [],
    };
  },
});

function restoreFromPrior(details: AlterObject, restore: Restore, prior: SchemaSnapshot): Assessment {
  if (restore.property === 'comment') {
    const found = findComment(prior, restore.lookup);
    if (found) {
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `${capitalise(details.action)}: the previous comment is restored from the prior schema.`,
        rollback: [step(commentOn(restore.keyword, restore.target, found.comment), 'any')],
      };
    }
  } else {
    const owner = findOwner(prior, restore.lookup);
    if (owner) {
      return {
        verdict: 'safe',
        evidence: 'catalog',
        reason: `${capitalise(details.action)}: the previous owner, ${owner}, is restored from the prior schema.`,
        rollback: [step(`${restore.alter} OWNER TO ${quoteIdent(owner)};`, 'before-app')],
      };
    }
    // The object is there, its owner is not: the shadow replays as a role of its own, which stands for whoever
    // ran the migrations (shadow/sandbox.ts), so the owner to restore is not known.
    if (findComment(prior, restore.lookup)) {
      return {
        verdict: 'risky',
        evidence: 'catalog',
        reason: `${capitalise(details.action)}: the previous owner is the role that ran the earlier migrations, which the prior schema cannot name, so it is not restored.`,
        rollback: [],
      };
    }
  }
  return {
    verdict: 'risky',
    evidence: 'catalog',
    reason: `${capitalise(details.action)}: the object is not in the prior schema, so its previous ${restore.property} cannot be restored.`,
    rollback: [],
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function draft(object: string, action: string, inverse: string | undefined, table?: QualifiedName, nothingToUndo = false): ChangeDraft<AlterObject> {
  return { object, details: { action, inverse, nothingToUndo }, ...(table ? { target: { table } } : {}) };
}

function recogniseAlterTable(command: AlterTableCmd, context: RecogniseContext): ChangeDraft<AlterObject> | undefined {
  const objtype = context.alterTable?.objtype;
  const table = qualify(context.alterTable?.relation, context.defaultSchema);
  const subject = `${objectWords(objtype)} ${displayName(table)}`;
  const alter = `${alterRelation(objtype)} ${sqlName(table)}`;
  const subtype = command.subtype ?? '';

  if (subtype === 'AT_AddColumn') {
    // ALTER TYPE … ADD ATTRIBUTE arrives as AT_AddColumn on a composite type; table columns are add-column's.
    if (objtype !== 'OBJECT_TYPE') return undefined;
    const attribute = payload<ColumnDef>(command.def, 'ColumnDef')?.colname ?? '';
    return draft(`${displayName(table)}.${attribute}`, `add attribute ${attribute} to type ${displayName(table)}`, `ALTER TYPE ${sqlName(table)} DROP ATTRIBUTE ${quoteIdent(attribute)};`);
  }
  const toggle = TOGGLES[subtype];
  if (toggle) {
    return draft(displayName(table), `${toggle.words}${command.name ? ` ${command.name}` : ''} on ${subject}`, `${alter} ${toggle.inverse(command.name)};`, table);
  }
  switch (subtype) {
    case 'AT_ValidateConstraint':
      return draft(`${displayName(table)}.${command.name ?? ''}`, `validate constraint ${command.name ?? ''} on ${subject}`, undefined, table, true);
    case 'AT_AddInherit':
    case 'AT_DropInherit': {
      const parent = qualify(payload<RangeVar>(command.def, 'RangeVar'), context.defaultSchema);
      const adding = subtype === 'AT_AddInherit';
      return draft(displayName(table), `${adding ? 'inherit from' : 'stop inheriting from'} ${displayName(parent)} on ${subject}`, `${alter} ${adding ? 'NO INHERIT' : 'INHERIT'} ${sqlName(parent)};`, table);
    }
    case 'AT_AttachPartition': {
      const partition = qualify(payload<PartitionCmd>(command.def, 'PartitionCmd')?.name, context.defaultSchema);
      return draft(displayName(partition), `attach partition ${displayName(partition)} to ${subject}`, `${alter} DETACH PARTITION ${sqlName(partition)};`, table);
    }
    case 'AT_AddIdentity': {
      const column = command.name ?? '';
      return draft(displayName(table, column), `add identity to column ${column} of ${subject}`, `${alter} ALTER COLUMN ${quoteIdent(column)} DROP IDENTITY;`, table);
    }
    case 'AT_ChangeOwner': {
      const restore: Restore = { property: 'owner', alter, lookup: { objectType: objtype ?? 'OBJECT_TABLE', name: table } };
      const changed = draft(displayName(table), `change owner of ${subject}`, undefined, table);
      return { ...changed, details: { ...changed.details, restore } };
    }
    default: {
      const words = OVERWRITES[subtype];
      if (!words) return undefined;
      const column = command.name && !['AT_ClusterOn', 'AT_DetachPartition'].includes(subtype) ? ` column ${command.name} of` : '';
      return draft(displayName(table), `${words} on${column} ${subject}`, undefined, table);
    }
  }
}

function recogniseStatement(tag: string, node: Record<string, unknown>, context: RecogniseContext): ChangeDraft<AlterObject> | undefined {
  const schema = context.defaultSchema;
  switch (tag) {
    case 'CommentStmt': {
      const comment = node as CommentStmt;
      const target = describeObject(comment.objtype, comment.object, schema);
      const commented = draft(target, `comment on ${objectWords(comment.objtype)} ${target}`, undefined);
      const restore = commentRestore(comment, schema);
      return { ...commented, ...commentTarget(comment, schema), ...(restore ? { details: { ...commented.details, restore } } : {}) };
    }
    case 'GrantStmt':
      return recogniseGrant(node as GrantStmt, schema);
    case 'GrantRoleStmt': {
      const grant = node as { is_grant?: boolean; granted_roles?: Node[]; grantee_roles?: Node[] };
      const roles = (grant.granted_roles ?? []).map((role) => quoteIdent(payload<{ priv_name?: string }>(role, 'AccessPriv')?.priv_name ?? ''));
      const grantees = (grant.grantee_roles ?? []).map((role) => roleName(payload(role, 'RoleSpec')));
      const inverse = grant.is_grant ? `REVOKE ${roles.join(', ')} FROM ${grantees.join(', ')};` : `GRANT ${roles.join(', ')} TO ${grantees.join(', ')};`;
      return draft(roles.join(', '), `${grant.is_grant ? 'grant' : 'revoke'} role membership`, inverse);
    }
    case 'AlterObjectSchemaStmt':
      return recogniseSetSchema(node as AlterObjectSchemaStmt, schema);
    case 'AlterDomainStmt':
      return recogniseAlterDomain(node as AlterDomainStmt, schema);
    case 'AlterOwnerStmt':
      return recogniseAlterOwner(node as AlterOwnerStmt, schema);
    default: {
      const words = tag.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      const objectNode = (node.sequence ?? node.relation) as RangeVar | undefined;
      const name = objectNode?.relname ? displayName(qualify(objectNode, schema)) : String(node.extname ?? node.policy_name ?? node.dbname ?? words);
      return draft(name, words, undefined);
    }
  }
}

function recogniseGrant(grant: GrantStmt, schema: string): ChangeDraft<AlterObject> {
  const privileges = grant.privileges?.length
    ? grant.privileges
        .map((privilege) => {
          const access = payload<{ priv_name?: string; cols?: Node[] }>(privilege, 'AccessPriv');
          const columns = access?.cols ? ` (${strings(access.cols).map(quoteIdent).join(', ')})` : '';
          return `${privilegeKeyword(access?.priv_name ?? 'all')}${columns}`;
        })
        .join(', ')
    : 'ALL';
  const grantees = (grant.grantees ?? []).map((grantee) => roleName(payload(grantee, 'RoleSpec'))).join(', ');
  const keyword = OBJECT_KEYWORD[grant.objtype ?? ''] ?? 'TABLE';
  const objects = (grant.objects ?? []).map((object) => grantObject(grant.objtype, object, schema));
  const action = `${grant.is_grant ? 'grant' : 'revoke'} ${privileges} on ${objectWords(grant.objtype)} ${objects.join(', ')} ${grant.is_grant ? 'to' : 'from'} ${grantees}`;
  if (grant.targtype !== 'ACL_TARGET_OBJECT') {
    // ON ALL TABLES IN SCHEMA: the opposite statement would also undo grants that existed before.
    return draft(objects.join(', '), `${action} (all objects in schema)`, undefined);
  }
  const on = `${keyword} ${objects.join(', ')}`;
  const inverse = grant.is_grant ? `REVOKE ${privileges} ON ${on} FROM ${grantees};` : `GRANT ${privileges} ON ${on} TO ${grantees};`;
  return draft(objects.join(', '), action, inverse);
}

/** A privilege is a keyword (`select`, `alter system`); any other name is a quoted identifier, never raw SQL. */
function privilegeKeyword(name: string): string {
  return /^[a-z]+( [a-z]+)?$/.test(name) ? name.toUpperCase() : quoteIdent(name);
}

function grantObject(objtype: string | undefined, object: Node, schema: string): string {
  const relation = payload<RangeVar>(object, 'RangeVar');
  if (relation) return sqlName(qualify(relation, schema));
  const routine = payload<ObjectWithArgs>(object, 'ObjectWithArgs');
  if (routine) return functionSignature(functionIdentity(routine, schema));
  const names = listItems(object);
  if (objtype === 'OBJECT_SCHEMA' || objtype === 'OBJECT_DATABASE' || objtype === 'OBJECT_LANGUAGE' || names.length === 1) {
    return names.map(quoteIdent).join('.');
  }
  return sqlName(qualifyNames(names, schema));
}

function recogniseSetSchema(alter: AlterObjectSchemaStmt, schema: string): ChangeDraft<AlterObject> | undefined {
  const keyword = OBJECT_KEYWORD[alter.objectType ?? ''];
  const newSchema = alter.newschema ?? '';
  if (!keyword) return draft(newSchema, `move ${objectWords(alter.objectType)} to schema ${newSchema}`, undefined);
  if (alter.relation) {
    const old = qualify(alter.relation, schema);
    const moved = { schema: newSchema, name: old.name };
    const movedDraft = draft(displayName(old), `move ${objectWords(alter.objectType)} ${displayName(old)} to schema ${newSchema}`, `ALTER ${keyword} ${sqlName(moved)} SET SCHEMA ${quoteIdent(old.schema)};`, old);
    // The name it leaves behind may be taken by another table: plan/subsumption follows the move.
    return { ...movedDraft, details: { ...movedDraft.details, newSchema } };
  }
  const routine = payload<ObjectWithArgs>(alter.object, 'ObjectWithArgs');
  if (routine) {
    const identity = functionIdentity(routine, schema);
    const moved = { ...identity, name: { schema: newSchema, name: identity.name.name } };
    return draft(displayName(identity.name), `move ${objectWords(alter.objectType)} ${displayName(identity.name)} to schema ${newSchema}`, `ALTER ${keyword} ${functionSignature(moved)} SET SCHEMA ${quoteIdent(identity.name.schema)};`);
  }
  const names = listItems(alter.object);
  if (alter.objectType === 'OBJECT_EXTENSION') {
    // The extension's previous schema is not in the statement.
    return draft(names.join('.'), `move extension ${names.join('.')} to schema ${newSchema}`, undefined);
  }
  const old = qualifyNames(names, schema);
  const moved = { schema: newSchema, name: old.name };
  return draft(displayName(old), `move ${objectWords(alter.objectType)} ${displayName(old)} to schema ${newSchema}`, `ALTER ${keyword} ${sqlName(moved)} SET SCHEMA ${quoteIdent(old.schema)};`);
}

function recogniseAlterOwner(alter: AlterOwnerStmt, schema: string): ChangeDraft<AlterObject> {
  const objectType = alter.objectType ?? '';
  const keyword = OBJECT_KEYWORD[objectType];
  const routine = payload<ObjectWithArgs>(alter.object, 'ObjectWithArgs');
  let lookup: PropertyLookup;
  let target: string;
  if (routine) {
    const identity = functionIdentity(routine, schema);
    lookup = { objectType, name: identity.name, argumentTypes: identity.argumentTypes };
    target = functionSignature(identity);
  } else if (objectType === 'OBJECT_SCHEMA') {
    const name = listItems(alter.object).join('.');
    lookup = { objectType, name: { schema: name, name } };
    target = quoteIdent(name);
  } else {
    const name = qualifyNames(listItems(alter.object), schema);
    lookup = { objectType, name };
    target = sqlName(name);
  }
  const display = objectType === 'OBJECT_SCHEMA' ? lookup.name.name : displayName(lookup.name);
  const changed = draft(display, `change owner of ${objectWords(objectType)} ${display}`, undefined);
  return keyword ? { ...changed, details: { ...changed.details, restore: { property: 'owner', alter: `ALTER ${keyword} ${target}`, lookup } } } : changed;
}

/** COMMENT ON overwrites the previous comment; the prior schema has it for these kinds of object. */
function commentRestore(comment: CommentStmt, schema: string): Restore | undefined {
  const objectType = comment.objtype ?? '';
  const keyword = OBJECT_KEYWORD[objectType];
  if (!keyword) return undefined;
  const routine = payload<ObjectWithArgs>(comment.object, 'ObjectWithArgs');
  if (routine) {
    const identity = functionIdentity(routine, schema);
    return { property: 'comment', keyword, target: functionSignature(identity), lookup: { objectType, name: identity.name, argumentTypes: identity.argumentTypes } };
  }
  const names = listItems(comment.object);
  switch (objectType) {
    case 'OBJECT_COLUMN': {
      const table = qualifyNames(names.slice(0, -1), schema);
      const column = names.at(-1) ?? '';
      return { property: 'comment', keyword, target: `${sqlName(table)}.${quoteIdent(column)}`, lookup: { objectType, name: table, member: column } };
    }
    case 'OBJECT_TABCONSTRAINT':
    case 'OBJECT_TRIGGER':
    case 'OBJECT_POLICY': {
      const table = qualifyNames(names.slice(0, -1), schema);
      const member = names.at(-1) ?? '';
      return { property: 'comment', keyword, target: `${quoteIdent(member)} ON ${sqlName(table)}`, lookup: { objectType, name: table, member } };
    }
    case 'OBJECT_SCHEMA': {
      const name = names.join('.');
      return { property: 'comment', keyword, target: quoteIdent(name), lookup: { objectType, name: { schema: name, name } } };
    }
    default: {
      const name = qualifyNames(names, schema);
      return { property: 'comment', keyword, target: sqlName(name), lookup: { objectType, name } };
    }
  }
}

function recogniseAlterDomain(alter: AlterDomainStmt, schema: string): ChangeDraft<AlterObject> {
  const domain = qualifyNames(strings(alter.typeName), schema);
  const name = displayName(domain);
  const prefix = `ALTER DOMAIN ${sqlName(domain)}`;
  switch (alter.subtype) {
    case 'N':
      return draft(name, `drop not null on domain ${name}`, `${prefix} SET NOT NULL;`);
    case 'O':
      return draft(name, `set not null on domain ${name}`, `${prefix} DROP NOT NULL;`);
    case 'C': {
      const constraint = payload<Constraint>(alter.def, 'Constraint');
      const inverse = constraint?.conname ? `${prefix} DROP CONSTRAINT ${quoteIdent(constraint.conname)};` : undefined;
      return draft(name, `add constraint ${constraint?.conname ?? '(unnamed)'} to domain ${name}`, inverse);
    }
    case 'V':
      return draft(name, `validate constraint ${alter.name ?? ''} of domain ${name}`, undefined, undefined, true);
    case 'X':
      return draft(name, `drop constraint ${alter.name ?? ''} of domain ${name}`, undefined);
    default:
      return draft(name, `change the default of domain ${name}`, undefined);
  }
}

/** A comment on a table or column goes with it when the same migration created it. */
function commentTarget(comment: CommentStmt, schema: string): Pick<ChangeDraft, 'target'> {
  const names = listItems(comment.object);
  if (comment.objtype === 'OBJECT_COLUMN') {
    return { target: { table: qualifyNames(names.slice(0, -1), schema), columns: [names.at(-1) ?? ''] } };
  }
  if (comment.objtype === 'OBJECT_TABLE') return { target: { table: qualifyNames(names, schema) } };
  return {};
}

function describeObject(objtype: string | undefined, object: Node | undefined, schema: string): string {
  const routine = payload<ObjectWithArgs>(object, 'ObjectWithArgs');
  if (routine) return displayName(functionIdentity(routine, schema).name);
  const typeName = payload<Parameters<typeof formatTypeName>[0]>(object, 'TypeName');
  if (typeName) return formatTypeName(typeName).sql;
  const names = listItems(object);
  if (objtype === 'OBJECT_COLUMN') {
    const column = names.at(-1) ?? '';
    return displayName(qualifyNames(names.slice(0, -1), schema), column);
  }
  if (objtype === 'OBJECT_SCHEMA' || objtype === 'OBJECT_EXTENSION' || names.length === 0) return names.join('.');
  return displayName(qualifyNames(names, schema));
}
