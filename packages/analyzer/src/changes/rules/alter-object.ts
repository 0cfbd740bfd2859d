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
  RoleSpec,
} from 'libpg-query';
import { commentOn } from '../../catalog/ddl.js';
import { findComment, findFunction, findOwner, type PropertyLookup } from '../../catalog/lookup.js';
import { qualifiedName, type SchemaSnapshot, type TriggerInfo } from '../../catalog/snapshot.js';
import { parseAclItem, privilegeRollback, type GrantStatement, type Grantee, type PriorAcl } from '../privileges.js';
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
  /** GRANT/REVOKE: undone from the prior ACL, never by the opposite statement alone. */
  grant?: GrantDetails;
  /** A flag the statement sets (row security, persistence, trigger or rule firing, domain NOT NULL): restored from the prior schema. */
  flag?: Flag;
}

interface GrantDetails {
  statement: GrantStatement;
  /** Each object as the statement names it (`TABLE public.users`), with how to find it in the prior schema. */
  objects: Array<{ on: string; lookup: PropertyLookup }>;
  /** Column lists of column privileges, by privilege keyword. */
  columns: Record<string, string[]>;
  /** Why the prior ACL cannot tell the rollback (GRANTED BY, an object kind the snapshot does not keep). */
  unknown?: string;
}

type TriggerState = TriggerInfo['enabled'];

type Flag =
  | { property: 'rowLevelSecurity' | 'forceRowLevelSecurity'; table: QualifiedName; value: boolean; alter: string }
  | { property: 'persistence'; table: QualifiedName; value: 'permanent' | 'unlogged'; alter: string }
  /** `names` undefined: every user trigger (or rule) of the table. */
  | { property: 'trigger' | 'rule'; table: QualifiedName; names: string[] | undefined; value: TriggerState; alter: string }
  | { property: 'domainNotNull'; domain: QualifiedName; value: boolean; alter: string };

type Restore =
  | { property: 'comment'; keyword: string; target: string; lookup: PropertyLookup }
  /** `newOwner`: the role's name, undefined for CURRENT_USER and the like. */
  | { property: 'owner'; alter: string; lookup: PropertyLookup; newOwner: string | undefined };

/**
 * ALTER TABLE subcommands that set a flag. The statement does not show the flag's prior value (ENABLE ROW LEVEL
 * SECURITY on a table that had it already is undone by nothing, not by DISABLE): it is read from the prior schema.
 */
const FLAGS: Record<string, { words: string; flag: (table: QualifiedName, name: string | undefined, alter: string) => Flag | undefined }> = {
  AT_EnableRowSecurity: { words: 'enable row level security', flag: (table, _name, alter) => ({ property: 'rowLevelSecurity', table, value: true, alter }) },
  AT_DisableRowSecurity: { words: 'disable row level security', flag: (table, _name, alter) => ({ property: 'rowLevelSecurity', table, value: false, alter }) },
  AT_ForceRowSecurity: { words: 'force row level security', flag: (table, _name, alter) => ({ property: 'forceRowLevelSecurity', table, value: true, alter }) },
  AT_NoForceRowSecurity: { words: 'stop forcing row level security', flag: (table, _name, alter) => ({ property: 'forceRowLevelSecurity', table, value: false, alter }) },
  AT_SetLogged: { words: 'set logged', flag: (table, _name, alter) => ({ property: 'persistence', table, value: 'permanent', alter }) },
  AT_SetUnLogged: { words: 'set unlogged', flag: (table, _name, alter) => ({ property: 'persistence', table, value: 'unlogged', alter }) },
  AT_EnableTrig: { words: 'enable trigger', flag: (table, name, alter) => ({ property: 'trigger', table, names: [name ?? ''], value: 'origin', alter }) },
  AT_DisableTrig: { words: 'disable trigger', flag: (table, name, alter) => ({ property: 'trigger', table, names: [name ?? ''], value: 'disabled', alter }) },
  AT_EnableAlwaysTrig: { words: 'enable trigger always', flag: (table, name, alter) => ({ property: 'trigger', table, names: [name ?? ''], value: 'always', alter }) },
  AT_EnableReplicaTrig: { words: 'enable trigger on replicas', flag: (table, name, alter) => ({ property: 'trigger', table, names: [name ?? ''], value: 'replica', alter }) },
  AT_EnableTrigUser: { words: 'enable user triggers', flag: (table, _name, alter) => ({ property: 'trigger', table, names: undefined, value: 'origin', alter }) },
  AT_DisableTrigUser: { words: 'disable user triggers', flag: (table, _name, alter) => ({ property: 'trigger', table, names: undefined, value: 'disabled', alter }) },
  // ALL includes the internal triggers behind foreign keys, whose state no snapshot keeps.
  AT_EnableTrigAll: { words: 'enable all triggers', flag: () => undefined },
  AT_DisableTrigAll: { words: 'disable all triggers', flag: () => undefined },
  AT_EnableRule: { words: 'enable rule', flag: (table, name, alter) => ({ property: 'rule', table, names: [name ?? ''], value: 'origin', alter }) },
  AT_DisableRule: { words: 'disable rule', flag: (table, name, alter) => ({ property: 'rule', table, names: [name ?? ''], value: 'disabled', alter }) },
  AT_EnableAlwaysRule: { words: 'enable rule always', flag: (table, name, alter) => ({ property: 'rule', table, names: [name ?? ''], value: 'always', alter }) },
  AT_EnableReplicaRule: { words: 'enable rule on replicas', flag: (table, name, alter) => ({ property: 'rule', table, names: [name ?? ''], value: 'replica', alter }) },
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
  readsPrior: true,
  title: 'Altered object property (owner, privileges, comment, row security, triggers, schema, settings…)',
  explain: `Statements that change a property of an object rather than its data: GRANT/REVOKE, COMMENT,
OWNER TO, SET SCHEMA, ENABLE/DISABLE ROW LEVEL SECURITY or TRIGGER, SET LOGGED/UNLOGGED,
INHERIT/NO INHERIT, ATTACH PARTITION, storage parameters, statistics targets, sequence and function
options, and the like. None of them changes stored rows.
Where the statement itself shows the state before it (SET SCHEMA back to the old schema, ATTACH ↔
DETACH, ADD ↔ DROP IDENTITY), the rollback is the opposite statement: safe. VALIDATE CONSTRAINT needs no
rollback. GRANT/REVOKE, ENABLE/DISABLE ROW LEVEL SECURITY, FORCE, ENABLE/DISABLE [REPLICA | ALWAYS]
TRIGGER or RULE, SET LOGGED/UNLOGGED and a domain's SET/DROP NOT NULL do not show what was so before:
the opposite statement would be wrong where it was so already (a REVOKE of a privilege the role held
before takes it from the old application). With the prior schema, the rollback restores the access list
(privileges and grant options, per grantee, table and column level) or the flag exactly as the catalog
had it, and nothing when it was so already: safe. Without it: risky. Where the statement overwrites a
value it does not show (the old owner, comment, options or settings), the rollback needs the prior schema
too. GRANT … ON ALL TABLES IN SCHEMA, GRANTED BY, role memberships (not in any schema snapshot) and
DISABLE TRIGGER ALL (the internal triggers' states are not kept) stay risky.`,
  examples: [
    { sql: 'ALTER TABLE users SET SCHEMA archive;', verdict: 'safe' },
    { sql: "COMMENT ON COLUMN users.email IS 'primary address';", verdict: 'risky' },
  ],
  on: [
    'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'AlterObjectSchemaStmt', 'AlterDomainStmt', ...OTHER_ALTERS,
    ...Object.keys(FLAGS).map((subtype) => `AlterTableCmd:${subtype}`),
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
    if (details.grant) return assessGrant(details, details.grant, prior);
    if (details.flag) return assessFlag(details, details.flag, prior);
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
    if (owner && owner === restore.newOwner) return restored(details, [], 'the owner');
    // OWNER TO rewrites the access list: the new owner's own grants merge into the owner's item, and do not
    // come back when the old owner does.
    const acl = priorAcl(prior, { ...restore.lookup, objectType: ACL_KIND[restore.lookup.objectType] ?? restore.lookup.objectType });
    if (owner && (restore.newOwner === undefined || acl?.ownership.privileges.some((item) => namesRole(item, restore.newOwner!)))) {
      return unknownPrior(details, `${restore.newOwner === undefined ? 'the new owner is whoever runs the migration' : `${restore.newOwner} held privileges on it, which the change of owner merges into the owner's`}`);
    }
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

function unknownPrior(details: AlterObject, why: string, evidence: 'static' | 'catalog' = 'catalog'): Assessment {
  return { verdict: 'risky', evidence, reason: `${capitalise(details.action)}: no stored data changes, but ${why}, so the prior state cannot be restored exactly.`, rollback: [] };
}

function restored(details: AlterObject, statements: string[], what: string): Assessment {
  if (statements.length === 0) {
    return { verdict: 'safe', evidence: 'catalog', reason: `${capitalise(details.action)}: the prior schema shows ${what} was already so; nothing to undo.`, rollback: [] };
  }
  return {
    verdict: 'safe',
    evidence: 'catalog',
    reason: `${capitalise(details.action)}: no stored data changes, and ${what} is restored exactly as the prior schema shows it.`,
    rollback: statements.map((sql) => step(sql, 'before-app')),
  };
}

function assessGrant(details: AlterObject, grant: GrantDetails, prior: SchemaSnapshot | undefined): Assessment {
  if (grant.unknown) return unknownPrior(details, grant.unknown, 'static');
  if (!prior) return unknownPrior(details, `${PRIOR_STATE_UNKNOWN} (which privileges the roles held before)`, 'static');
  const statements: string[] = [];
  for (const object of grant.objects) {
    const acl = priorAcl(prior, object.lookup);
    if (!acl) return unknownPrior(details, `${object.on} is not in the prior schema with its access list`);
    const result = privilegeRollback(grant.statement, acl, object.on, (privilege) => grant.columns[privilege] ?? []);
    if ('unknown' in result) return unknownPrior(details, result.unknown);
    statements.push(...result.statements);
  }
  return restored(details, statements, 'the access list');
}

/** The ACL of the object a GRANT names, and a relation's column ACLs. */
function priorAcl(prior: SchemaSnapshot, lookup: PropertyLookup): PriorAcl | undefined {
  const k = qualifiedName(lookup.name.schema, lookup.name.name);
  switch (lookup.objectType) {
    case 'OBJECT_TABLE': {
      const relation = prior.tables[k] ?? prior.views[k] ?? prior.materializedViews[k];
      if (relation) return { ownership: relation, columns: Object.fromEntries(Object.values(relation.columns).map((column) => [column.name, column.privileges])) };
      const sequence = prior.sequences[k];
      return sequence ? { ownership: sequence } : undefined;
    }
    case 'OBJECT_SEQUENCE': {
      const sequence = prior.sequences[k];
      return sequence ? { ownership: sequence } : undefined;
    }
    case 'OBJECT_SCHEMA': {
      const schema = prior.schemas[lookup.name.name];
      return schema ? { ownership: schema } : undefined;
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE': {
      const routine = findFunction(prior, lookup.name, lookup.argumentTypes);
      return routine ? { ownership: routine } : undefined;
    }
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN': {
      const type = prior.enums[k] ?? prior.compositeTypes[k] ?? prior.rangeTypes[k] ?? prior.baseTypes[k] ?? prior.domains[k];
      return type ? { ownership: type } : undefined;
    }
    default:
      return undefined;
  }
}

const TRIGGER_STATE_SQL: Record<TriggerState, string> = { origin: 'ENABLE', disabled: 'DISABLE', replica: 'ENABLE REPLICA', always: 'ENABLE ALWAYS' };

function assessFlag(details: AlterObject, flag: Flag, prior: SchemaSnapshot | undefined): Assessment {
  if (!prior) return unknownPrior(details, `${PRIOR_STATE_UNKNOWN} (the setting may have been so already)`, 'static');
  if (flag.property === 'domainNotNull') {
    const domain = prior.domains[qualifiedName(flag.domain.schema, flag.domain.name)];
    if (!domain) return unknownPrior(details, `domain ${displayName(flag.domain)} is not in the prior schema`);
    return restored(details, domain.notNull === flag.value ? [] : [`${flag.alter} ${domain.notNull ? 'SET' : 'DROP'} NOT NULL;`], 'its NOT NULL');
  }
  const table = prior.tables[qualifiedName(flag.table.schema, flag.table.name)];
  if (!table) return unknownPrior(details, `${displayName(flag.table)} is not in the prior schema as a table`);
  switch (flag.property) {
    case 'rowLevelSecurity':
      return restored(details, table.rowLevelSecurity === flag.value ? [] : [`${flag.alter} ${table.rowLevelSecurity ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY;`], 'row level security');
    case 'forceRowLevelSecurity':
      return restored(details, table.forceRowLevelSecurity === flag.value ? [] : [`${flag.alter} ${table.forceRowLevelSecurity ? '' : 'NO '}FORCE ROW LEVEL SECURITY;`], 'forcing of row level security');
    case 'persistence':
      if (table.persistence === flag.value) return restored(details, [], 'its persistence');
      // SET LOGGED/UNLOGGED also switches the table's identity and serial sequences, which need not have matched it.
      if (Object.values(prior.sequences).some((sequence) => sequence.persistence !== table.persistence && sequence.ownedBy?.startsWith(`${qualifiedName(table.schema, table.name)}.`))) {
        return unknownPrior(details, 'its sequences were not as logged as the table, and switching the table back switches them too');
      }
      return restored(details, [`${flag.alter} SET ${table.persistence === 'unlogged' ? 'UNLOGGED' : 'LOGGED'};`], 'its persistence');
    case 'trigger':
    case 'rule': {
      // On a partitioned table the statement reaches the partitions' clones too, whose states may have differed.
      if (table.kind === 'partitioned table') return unknownPrior(details, 'the statement also sets the triggers of its partitions');
      const prefix = `${qualifiedName(table.schema, table.name)}.`;
      const members = flag.property === 'trigger' ? prior.triggers : prior.rules;
      if (!members) return unknownPrior(details, 'the prior schema does not record rules');
      const byName = new Map(Object.entries(members).filter(([key]) => key.startsWith(prefix)).map(([, member]) => [member.name, member.enabled]));
      const names = flag.names ?? [...byName.keys()].sort();
      const statements: string[] = [];
      for (const name of names) {
        const before = byName.get(name);
        if (!before) return unknownPrior(details, `${flag.property} ${name} is not in the prior schema`);
        if (before !== flag.value) statements.push(`${flag.alter} ${TRIGGER_STATE_SQL[before]} ${flag.property.toUpperCase()} ${quoteIdent(name)};`);
      }
      return restored(details, statements, `the ${flag.property}'s firing state`);
    }
  }
}

/** Object kinds of ALTER … OWNER TO whose access list priorAcl reads under another kind. */
const ACL_KIND: Record<string, string> = { OBJECT_VIEW: 'OBJECT_TABLE', OBJECT_MATVIEW: 'OBJECT_TABLE', OBJECT_FOREIGN_TABLE: 'OBJECT_TABLE' };

/** Whether an ACL item names the role as grantee or grantor. */
function namesRole(item: string, role: string): boolean {
  const parsed = parseAclItem(item);
  return parsed === undefined || parsed.grantee === role || parsed.grantor === role;
}

function ownerName(role: RoleSpec | undefined): string | undefined {
  return role?.roletype === 'ROLESPEC_CSTRING' ? role.rolename : undefined;
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
  const flagged = FLAGS[subtype];
  if (flagged) {
    const set = draft(displayName(table), `${flagged.words}${command.name ? ` ${command.name}` : ''} on ${subject}`, undefined, table);
    const flag = flagged.flag(table, command.name, alter);
    return flag ? { ...set, details: { ...set.details, flag } } : set;
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
      const restore: Restore = { property: 'owner', alter, lookup: { objectType: objtype ?? 'OBJECT_TABLE', name: table }, newOwner: ownerName(command.newowner) };
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
      // Role memberships belong to the cluster, not to a database's schema: no snapshot shows whether the role was
      // a member already (then the REVOKE would take from the old application what it had), so no inverse is sure.
      const grant = node as { is_grant?: boolean; granted_roles?: Node[] };
      const roles = (grant.granted_roles ?? []).map((role) => quoteIdent(payload<{ priv_name?: string }>(role, 'AccessPriv')?.priv_name ?? ''));
      return draft(roles.join(', '), `${grant.is_grant ? 'grant' : 'revoke'} role membership (memberships before it are not in any schema snapshot)`, undefined);
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
  const columns: Record<string, string[]> = {};
  const privilegeNames = (grant.privileges ?? []).map((privilege) => {
    const access = payload<{ priv_name?: string; cols?: Node[] }>(privilege, 'AccessPriv');
    const keyword = privilegeKeyword(access?.priv_name ?? 'all');
    if (access?.cols) columns[keyword] = [...(columns[keyword] ?? []), ...strings(access.cols)];
    return { keyword, columns: access?.cols ? ` (${strings(access.cols).map(quoteIdent).join(', ')})` : '' };
  });
  const privileges = privilegeNames.length > 0 ? privilegeNames.map(({ keyword, columns: list }) => `${keyword}${list}`).join(', ') : 'ALL';
  const grantees = (grant.grantees ?? []).map((grantee): Grantee => {
    const role = payload<RoleSpec>(grantee, 'RoleSpec');
    const sql = roleName(role);
    return { sql, name: role?.roletype === 'ROLESPEC_PUBLIC' ? '' : role?.roletype === 'ROLESPEC_CSTRING' ? (role.rolename ?? '') : undefined };
  });
  const keyword = OBJECT_KEYWORD[grant.objtype ?? ''] ?? 'TABLE';
  const objects = (grant.objects ?? []).map((object) => grantObject(grant.objtype, object, schema));
  const granteeList = grantees.map((grantee) => grantee.sql).join(', ');
  const action = `${grant.is_grant ? 'grant' : 'revoke'} ${grant.grant_option && !grant.is_grant ? 'grant option for ' : ''}${privileges} on ${objectWords(grant.objtype)} ${objects.map(({ sql }) => sql).join(', ')} ${grant.is_grant ? 'to' : 'from'} ${granteeList}`;
  const statement: GrantStatement = {
    isGrant: grant.is_grant === true,
    grantOptionOnly: !grant.is_grant && grant.grant_option === true,
    withGrantOption: grant.is_grant === true && grant.grant_option === true,
    privileges: privilegeNames.length > 0 ? privilegeNames.map(({ keyword: name }) => name) : 'ALL',
    grantees,
  };
  const unknown =
    grant.targtype !== 'ACL_TARGET_OBJECT'
      ? 'it acts on every object of the schema, each of which had an access list of its own'
      : grant.grantor
        ? 'GRANTED BY records another grantor than the owner'
        : objects.some(({ lookup }) => !lookup)
          ? `the prior schema does not keep the access lists of ${objectWords(grant.objtype)}s`
          : undefined;
  const details: GrantDetails = {
    statement,
    objects: objects.flatMap(({ sql, lookup }) => (lookup ? [{ on: `${keyword} ${sql}`, lookup }] : [])),
    columns,
    ...(unknown ? { unknown } : {}),
  };
  const relations = objects.flatMap(({ lookup }) => (lookup?.objectType === 'OBJECT_TABLE' ? [lookup.name] : []));
  const granted = draft(objects.map(({ sql }) => sql).join(', '), action, undefined, relations.length === 1 ? relations[0] : undefined);
  return { ...granted, details: { ...granted.details, grant: details } };
}

/** A privilege is a keyword (`select`, `alter system`); any other name is a quoted identifier, never raw SQL. */
function privilegeKeyword(name: string): string {
  return /^[a-z]+( [a-z]+)?$/.test(name) ? name.toUpperCase() : quoteIdent(name);
}

/** An object a GRANT names, as SQL, and how to find its ACL in the prior schema (undefined: the snapshot has none). */
function grantObject(objtype: string | undefined, object: Node, schema: string): { sql: string; lookup: PropertyLookup | undefined } {
  const relation = payload<RangeVar>(object, 'RangeVar');
  if (relation) {
    const name = qualify(relation, schema);
    return { sql: sqlName(name), lookup: { objectType: objtype === 'OBJECT_SEQUENCE' ? 'OBJECT_SEQUENCE' : 'OBJECT_TABLE', name } };
  }
  const routine = payload<ObjectWithArgs>(object, 'ObjectWithArgs');
  if (routine) {
    const identity = functionIdentity(routine, schema);
    const lookup = { objectType: objtype ?? 'OBJECT_FUNCTION', name: identity.name, argumentTypes: identity.argumentTypes };
    return { sql: functionSignature(identity), lookup };
  }
  const names = listItems(object);
  if (objtype === 'OBJECT_SCHEMA') {
    const name = names.join('.');
    return { sql: quoteIdent(name), lookup: { objectType: objtype, name: { schema: name, name } } };
  }
  if (objtype === 'OBJECT_DATABASE' || objtype === 'OBJECT_LANGUAGE' || names.length === 1 && objtype !== 'OBJECT_TYPE' && objtype !== 'OBJECT_DOMAIN') {
    return { sql: names.map(quoteIdent).join('.'), lookup: undefined };
  }
  const name = qualifyNames(names, schema);
  return { sql: sqlName(name), lookup: objtype === 'OBJECT_TYPE' || objtype === 'OBJECT_DOMAIN' ? { objectType: objtype, name } : undefined };
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
  return keyword ? { ...changed, details: { ...changed.details, restore: { property: 'owner', alter: `ALTER ${keyword} ${target}`, lookup, newOwner: ownerName(alter.newowner) } } } : changed;
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
    case 'O': {
      const setting = alter.subtype === 'O';
      const changed = draft(name, `${setting ? 'set' : 'drop'} not null on domain ${name}`, undefined);
      return { ...changed, details: { ...changed.details, flag: { property: 'domainNotNull', domain, value: setting, alter: prefix } } };
    }
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
