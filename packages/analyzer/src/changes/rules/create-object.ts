import type {
  CompositeTypeStmt,
  CreateDomainStmt,
  CreateEnumStmt,
  CreateEventTrigStmt,
  CreateExtensionStmt,
  CreateFunctionStmt,
  CreatePolicyStmt,
  CreateRangeStmt,
  CreateSchemaStmt,
  CreateSeqStmt,
  CreateStatsStmt,
  CreateStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  DefineStmt,
  RuleStmt,
  ViewStmt,
} from 'libpg-query';
import { objectExists } from '../../catalog/lookup.js';
import { qualify, qualifyNames, strings } from '../ast.js';
import { displayName } from '../naming.js';
import { quoteIdent, sqlName } from '../../sql/quote.js';
import type { RecogniseContext } from '../rule.js';
import { defineRule, mayHaveExisted, step } from '../rule.js';
import { functionArgumentTypes, functionSignature, OBJECT_KEYWORD } from '../sql.js';
import type { ChangeDraft, StepTiming } from '../types.js';
import type { QualifiedName } from '../../sql/name.js';

interface CreateObject {
  /** "view", "function", "trigger"… */
  what: string;
  name: string;
  /** The statement that drops it again; undefined for kinds migcheck has no builder for. */
  drop: string | undefined;
  ifNotExists: boolean;
  /** How to look the object up in the prior schema, to tell whether IF NOT EXISTS did anything. */
  lookup?: { kind: string; name: QualifiedName | string };
  timing: StepTiming;
}

/** Statements whose CREATE OR REPLACE form belongs to replace-object. */
const REPLACEABLE = new Set(['ViewStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'RuleStmt', 'DefineStmt']);

export const createObject = defineRule<Record<string, unknown>, CreateObject>({
  id: 'create-object',
  kind: 'create_object',
  readsPrior: true,
  title: 'Created object (view, function, sequence, type, trigger, extension, schema, policy…)',
  explain: `A newly created view, materialized view, function, procedure, sequence, type, domain, trigger,
rule, policy, extension, schema or statistics object is rolled back by dropping it. None of these holds
application data (a sequence holds only its position, a materialized view only derived rows), so the
rollback is safe. Objects that depend on it were created later in the migration and are dropped first:
the rollback runs in reverse order.
It is risky with IF NOT EXISTS (the object may have existed before, and dropping it would remove what
the old application uses), and for kinds migcheck cannot write the DROP statement for.`,
  examples: [
    { sql: 'CREATE VIEW active_users AS SELECT * FROM users;', verdict: 'safe' },
    { sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto;', verdict: 'risky' },
  ],
  on: [
    'CreateSeqStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'CreateEnumStmt',
    'CreateRangeStmt', 'CompositeTypeStmt', 'DefineStmt', 'CreateDomainStmt', 'CreateExtensionStmt',
    'CreateSchemaStmt', 'CreatePolicyStmt', 'RuleStmt', 'CreateForeignTableStmt', 'CreateStatsStmt',
    'CreateEventTrigStmt', 'CreatePublicationStmt', 'CreateForeignServerStmt', 'CreateFdwStmt', 'CreateCastStmt',
    'CreateOpClassStmt', 'CreateOpFamilyStmt', 'CreateConversionStmt', 'CreateTransformStmt', 'CreateAmStmt',
    'CreatePLangStmt', 'CreateUserMappingStmt', 'CreateRoleStmt', 'CreateSubscriptionStmt',
  ],
  recognise(node, context) {
    const tag = context.statement.tag;
    if (REPLACEABLE.has(tag) && node.replace === true) return undefined;
    return recogniseCreate(tag, node, context);
  },
  assess({ details }, { prior }) {
    if (!details.drop) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `Created ${details.what} ${details.name}: migcheck cannot write the statement that drops this kind of object; drop it by hand.`,
        rollback: [],
      };
    }
    const rollback = [step(details.drop, details.timing)];
    if (details.ifNotExists && prior && details.lookup) {
      if (objectExists(prior, details.lookup.kind, details.lookup.name)) {
        return { verdict: 'safe', evidence: 'catalog', reason: `${details.what} ${details.name} existed before this migration, so IF NOT EXISTS did nothing: nothing to undo.`, rollback: [] };
      }
      return { verdict: 'safe', evidence: 'catalog', reason: `New ${details.what} ${details.name} (it did not exist before): it holds no application data, so dropping it loses nothing.`, rollback };
    }
    if (details.ifNotExists) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `IF NOT EXISTS: ${details.what} ${details.name} may have existed before this migration, and dropping it would remove what the old application uses.`,
        rollback,
        incomplete: mayHaveExisted(`${details.what} ${details.name}`),
      };
    }
    return {
      verdict: 'safe',
      evidence: 'static',
      reason: `New ${details.what} ${details.name}: it holds no application data, so dropping it loses nothing.`,
      rollback,
    };
  },
});

function recogniseCreate(tag: string, node: Record<string, unknown>, context: RecogniseContext): ChangeDraft<CreateObject> | undefined {
  const schema = context.defaultSchema;
  const make = (
    what: string,
    name: string,
    drop: string | undefined,
    options: { ifNotExists?: boolean; timing?: StepTiming; table?: QualifiedName; lookup?: CreateObject['lookup'] } = {},
  ): ChangeDraft<CreateObject> => ({
    object: name,
    details: {
      what,
      name,
      drop,
      ifNotExists: options.ifNotExists ?? false,
      timing: options.timing ?? 'after-app',
      ...(options.lookup ? { lookup: options.lookup } : {}),
    },
    ...(options.table ? { target: { table: options.table } } : {}),
  });
  const dropNamed = (keyword: string, name: QualifiedName) => `DROP ${keyword} ${sqlName(name)};`;

  switch (tag) {
    case 'CreateSeqStmt': {
      const create = node as CreateSeqStmt;
      const name = qualify(create.sequence, schema);
      return make('sequence', displayName(name), dropNamed('SEQUENCE', name), { ifNotExists: create.if_not_exists === true, lookup: { kind: 'sequence', name } });
    }
    case 'ViewStmt': {
      const name = qualify((node as ViewStmt).view, schema);
      return make('view', displayName(name), dropNamed('VIEW', name));
    }
    case 'CreateTableAsStmt': {
      const create = node as CreateTableAsStmt;
      if (create.objtype !== 'OBJECT_MATVIEW') return undefined;
      const name = qualify(create.into?.rel, schema);
      return make('materialized view', displayName(name), dropNamed('MATERIALIZED VIEW', name), {
        ifNotExists: create.if_not_exists === true,
        lookup: { kind: 'materialized view', name },
      });
    }
    case 'CreateFunctionStmt': {
      const create = node as CreateFunctionStmt;
      const identity = { name: qualifyNames(strings(create.funcname), schema), argumentTypes: functionArgumentTypes(create.parameters) };
      const what = create.is_procedure ? 'procedure' : 'function';
      return make(what, displayName(identity.name), `DROP ${what.toUpperCase()} ${functionSignature(identity)};`);
    }
    case 'CreateTrigStmt': {
      const create = node as CreateTrigStmt;
      const table = qualify(create.relation, schema);
      const name = create.trigname ?? '';
      return make('trigger', `${displayName(table)}.${name}`, `DROP TRIGGER ${quoteIdent(name)} ON ${sqlName(table)};`, { timing: 'any', table });
    }
    case 'CreateEnumStmt':
    case 'CreateRangeStmt': {
      const name = qualifyNames(strings((node as CreateEnumStmt | CreateRangeStmt).typeName), schema);
      return make(tag === 'CreateEnumStmt' ? 'enum type' : 'range type', displayName(name), dropNamed('TYPE', name));
    }
    case 'CompositeTypeStmt': {
      const name = qualify((node as CompositeTypeStmt).typevar, schema);
      return make('composite type', displayName(name), dropNamed('TYPE', name));
    }
    case 'DefineStmt': {
      const define = node as DefineStmt;
      const name = qualifyNames(strings(define.defnames), schema);
      const keyword = OBJECT_KEYWORD[define.kind ?? ''];
      const droppable = ['OBJECT_TYPE', 'OBJECT_COLLATION', 'OBJECT_TSDICTIONARY', 'OBJECT_TSCONFIGURATION'].includes(define.kind ?? '');
      return make((keyword ?? 'object').toLowerCase(), displayName(name), droppable && keyword ? dropNamed(keyword, name) : undefined, {
        ifNotExists: define.if_not_exists === true,
      });
    }
    case 'CreateDomainStmt': {
      const name = qualifyNames(strings((node as CreateDomainStmt).domainname), schema);
      return make('domain', displayName(name), dropNamed('DOMAIN', name));
    }
    case 'CreateExtensionStmt': {
      const create = node as CreateExtensionStmt;
      const name = create.extname ?? '';
      return make('extension', name, `DROP EXTENSION ${quoteIdent(name)};`, { ifNotExists: create.if_not_exists === true, lookup: { kind: 'extension', name } });
    }
    case 'CreateSchemaStmt': {
      const create = node as CreateSchemaStmt;
      const name = create.schemaname ?? '';
      // The objects created inside CREATE SCHEMA are changes of their own (changes/recognise.ts), dropped first.
      return make('schema', name, `DROP SCHEMA ${quoteIdent(name)};`, { ifNotExists: create.if_not_exists === true, lookup: { kind: 'schema', name } });
    }
    case 'CreatePolicyStmt': {
      const create = node as CreatePolicyStmt;
      const table = qualify(create.table, schema);
      const name = create.policy_name ?? '';
      return make('policy', `${displayName(table)}.${name}`, `DROP POLICY ${quoteIdent(name)} ON ${sqlName(table)};`, { timing: 'any', table });
    }
    case 'RuleStmt': {
      const create = node as RuleStmt;
      const table = qualify(create.relation, schema);
      const name = create.rulename ?? '';
      return make('rule', `${displayName(table)}.${name}`, `DROP RULE ${quoteIdent(name)} ON ${sqlName(table)};`, { timing: 'any', table });
    }
    case 'CreateForeignTableStmt': {
      const base = (node as { base?: CreateStmt }).base;
      const name = qualify(base?.relation, schema);
      return make('foreign table', displayName(name), dropNamed('FOREIGN TABLE', name), { ifNotExists: base?.if_not_exists === true, lookup: { kind: 'table', name } });
    }
    case 'CreateStatsStmt': {
      const create = node as CreateStatsStmt;
      if (!create.defnames) return make('statistics object', '(unnamed)', undefined);
      const name = qualifyNames(strings(create.defnames), schema);
      return make('statistics object', displayName(name), dropNamed('STATISTICS', name), { ifNotExists: create.if_not_exists === true });
    }
    case 'CreateEventTrigStmt': {
      const name = (node as CreateEventTrigStmt).trigname ?? '';
      return make('event trigger', name, `DROP EVENT TRIGGER ${quoteIdent(name)};`);
    }
    case 'CreatePublicationStmt': {
      const name = String(node.pubname ?? '');
      return make('publication', name, `DROP PUBLICATION ${quoteIdent(name)};`);
    }
    case 'CreateForeignServerStmt': {
      const name = String(node.servername ?? '');
      return make('foreign server', name, `DROP SERVER ${quoteIdent(name)};`, { ifNotExists: node.if_not_exists === true });
    }
    case 'CreateFdwStmt': {
      const name = String(node.fdwname ?? '');
      return make('foreign-data wrapper', name, `DROP FOREIGN DATA WRAPPER ${quoteIdent(name)};`);
    }
    default: {
      const words = tag.replace(/^Create/, '').replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      return make(words, firstName(node) ?? words, undefined);
    }
  }
}

function firstName(node: Record<string, unknown>): string | undefined {
  for (const key of ['role', 'subname', 'amname', 'plname', 'servername']) {
    if (typeof node[key] === 'string') return node[key] as string;
  }
  return undefined;
}

