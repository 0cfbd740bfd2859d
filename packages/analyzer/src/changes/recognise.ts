/**
 * Statements → changes. ALTER TABLE yields one change per subcommand. Statements that change nothing
 * persistent (BEGIN, SET, ANALYZE…) yield none; anything no rule recognises yields an `unknown` change.
 */
import type { AlterTableCmd, AlterTableStmt, Constraint, CreateSchemaStmt, Node, RangeVar, SelectStmt } from 'libpg-query';
import type { ParsedStatement } from '../source/parse.js';
import type { Position } from '../source/sql-text.js';
import { firstLocation, forEachNode, payload, qualify } from './ast.js';
import { executedParts, nestedDataStatements } from './executed.js';
import { unknownFunctionCalls } from './functions.js';
import { hasUnqualifiedObjectName, isRangeVar, NameScope, onlySetsConfiguration, unqualifiedRelations } from './name-scope.js';
import { rulesFor, unknownStatement } from './registry.js';
import type { RecogniseContext, Rule } from './rule.js';
import type { Change, ChangeDraft, QualifiedName } from './types.js';

/** Statements that leave nothing behind to roll back. */
const NO_PERSISTENT_CHANGE = new Set([
  'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'VacuumStmt', 'CheckPointStmt', 'LockStmt', 'DiscardStmt',
  'NotifyStmt', 'ListenStmt', 'UnlistenStmt', 'DeallocateStmt', 'PrepareStmt', 'ReindexStmt', 'LoadStmt',
  'ConstraintsSetStmt', 'ClosePortalStmt',
]);

/** Statements that change nothing unless a rule recognises them (SELECT … INTO, a SELECT of functions, COPY … FROM). */
const NO_CHANGE_WHEN_UNCLAIMED = new Set(['SelectStmt', 'ExplainStmt', 'CopyStmt']);

export interface RecogniseOptions {
  defaultSchema?: string;
  /** Byte offset → line and column in the statement's file. */
  locate: (byteOffset: number) => Position;
}

export function recogniseChanges(statements: ParsedStatement[], options: RecogniseOptions): Change[] {
  const names = new NameScope(options.defaultSchema ?? 'public');
  const changes: Change[] = [];

  statements.forEach((parsed, statementIndex) => {
    names.follow(parsed.tag, payload<unknown>(parsed.node, parsed.tag));
    if (NO_PERSISTENT_CHANGE.has(parsed.tag)) return;
    const original = payload<Record<string, unknown>>(parsed.node, parsed.tag) ?? {};
    if (parsed.tag === 'SelectStmt' && onlySetsConfiguration(original as SelectStmt)) return;
    // Unqualified names of the migration's temporary tables mean pg_temp's: the rules see them qualified.
    const body = withTemporaryNames(original, names);
    const statement: ParsedStatement = body === original ? parsed : { ...parsed, node: { [parsed.tag]: body } as unknown as Node };
    const scope = names.scope();
    const unresolved = unresolvedReason(parsed.tag, body, scope.uncertain, names);
    const executed = executedParts(parsed.tag, body);
    const sideEffects = unknownFunctionCalls(executed);
    const referencedWithActions = foreignKeysWithActions(body, scope.defaultSchema);

    const emit = (rule: Rule, drafts: ChangeDraft[], precise = false, at: ParsedStatement = statement) => {
      for (const draft of drafts) {
        changes.push({
          ...draft,
          ...(unresolved ? { unresolved } : {}),
          ...(sideEffects.length > 0 ? { sideEffects } : {}),
          ...(referencedWithActions.length > 0 ? { referencedWithActions } : {}),
          kind: rule.kind,
          rule: rule.id,
          position: precise && draft.locationByte !== undefined ? options.locate(draft.locationByte) : at.position,
          statementIndex,
          statementText: at.text,
        });
      }
    };
    const recogniseOne = (tag: string, node: unknown, defaultSchema: string, precise = false) => {
      const context: RecogniseContext = { statement: { ...statement, tag, node: { [tag]: node } as unknown as Node }, defaultSchema };
      const found = firstRecognised(tag, node, context);
      if (found) emit(found.rule, found.drafts, precise);
      return found;
    };

    if (parsed.tag === 'AlterTableStmt') {
      const alter = body as AlterTableStmt;
      const alterContext: RecogniseContext = {
        statement,
        defaultSchema: scope.defaultSchema,
        alterTable: { relation: alter?.relation, objtype: alter?.objtype },
      };
      // One subcommand: point at the statement; several: point at each subcommand.
      const pointAtSubcommands = (alter?.cmds?.length ?? 0) > 1;
      for (const command of alter?.cmds ?? []) {
        const cmd = payload<AlterTableCmd>(command, 'AlterTableCmd');
        const selector = `AlterTableCmd:${cmd?.subtype ?? 'unknown'}`;
        const found = firstRecognised(selector, cmd, alterContext);
        if (found) emit(found.rule, found.drafts, pointAtSubcommands);
        else emit(unknownStatement, [unknownDraft(selector, alterContext)]);
      }
    } else {
      const context: RecogniseContext = { statement, defaultSchema: scope.defaultSchema };
      const found = firstRecognised(parsed.tag, body, context);
      if (found) emit(found.rule, found.drafts);
      else if (!NO_CHANGE_WHEN_UNCLAIMED.has(parsed.tag)) emit(unknownStatement, [unknownDraft(parsed.tag, context)]);
    }

    // CREATE SCHEMA … CREATE TABLE … GRANT …: each element is a change of its own, made in the new schema.
    if (parsed.tag === 'CreateSchemaStmt') {
      const create = body as CreateSchemaStmt;
      for (const element of create.schemaElts ?? []) {
        const tag = Object.keys(element)[0] ?? '';
        const node = payload<unknown>(element, tag);
        if (!recogniseOne(tag, node, create.schemaname ?? scope.defaultSchema)) {
          emit(unknownStatement, [unknownDraft(tag, { statement, defaultSchema: create.schemaname ?? scope.defaultSchema })]);
        }
      }
    }

    // A data-modifying CTE (or the statement of EXPLAIN ANALYZE, COPY (…) TO) runs whatever the outer statement is.
    for (const nested of nestedDataStatements(executed, body)) {
      const location = firstLocation(nested.node);
      const before = changes.length;
      recogniseOne(nested.tag, nested.node, scope.defaultSchema);
      if (location !== undefined) {
        for (const change of changes.slice(before)) change.position = options.locate(location);
      }
    }

    followTemporaryTables(parsed.tag, body, names);
  });
  return changes;
}

/** Tables referenced by the statement's foreign keys that act on the referencing rows (ON DELETE CASCADE…). */
function foreignKeysWithActions(body: unknown, defaultSchema: string): QualifiedName[] {
  const found: QualifiedName[] = [];
  const acts = (action: string | undefined) => action !== undefined && action !== 'a' && action !== 'r';
  forEachNode(body, (key, child) => {
    if (key !== 'Constraint') return;
    const constraint = child as Constraint;
    if (constraint.contype === 'CONSTR_FOREIGN' && (acts(constraint.fk_del_action) || acts(constraint.fk_upd_action))) {
      found.push(qualify(constraint.pktable, defaultSchema));
    }
  });
  return found;
}

/** Why the statement's unqualified names may not mean what the rules assume, if they may not. */
function unresolvedReason(tag: string, body: Record<string, unknown>, uncertain: string | undefined, names: NameScope): string | undefined {
  const relations = unqualifiedRelations(body);
  const shadowed = relations.find((name) => names.shadowUncertain(name));
  if (shadowed) return `the temporary table ${shadowed} may or may not shadow a table of the same name (pg_temp is not first on the search_path)`;
  if (!uncertain) return undefined;
  return relations.length > 0 || hasUnqualifiedObjectName(body) || tag === 'CreateSchemaStmt' ? uncertain : undefined;
}

const TEMPORARY = 't';

/** A copy of the statement with unqualified references to the migration's temporary tables qualified by pg_temp. */
function withTemporaryNames(body: Record<string, unknown>, names: NameScope): Record<string, unknown> {
  let changed = false;
  const rewrite = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => rewrite(item));
    if (isRangeVar(value)) {
      const relation = value as RangeVar;
      const temporary = relation.relpersistence === TEMPORARY || (relation.relname !== undefined && names.isTemporary(relation.relname));
      if (!relation.schemaname && temporary) {
        changed = true;
        return { ...relation, schemaname: 'pg_temp' };
      }
      return value;
    }
    const copy: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value)) copy[childKey] = rewrite(child);
    return copy;
  };
  let rewritten = rewrite(body) as Record<string, unknown>;
  // DROP TABLE lists names, not RangeVars.
  if (Array.isArray(rewritten.objects) && rewritten.removeType === 'OBJECT_TABLE') {
    const objects = (rewritten.objects as Node[]).map((object) => {
      const items = payload<{ items?: Node[] }>(object, 'List')?.items;
      const name = items?.length === 1 ? payload<{ sval?: string }>(items[0], 'String')?.sval : undefined;
      if (!name || !names.isTemporary(name)) return object;
      changed = true;
      return { List: { items: [{ String: { sval: 'pg_temp' } }, ...(items ?? [])] } } as Node;
    });
    rewritten = { ...rewritten, objects };
  }
  return changed ? rewritten : body;
}

/** Remembers the temporary tables the statement creates, renames or drops. */
function followTemporaryTables(tag: string, body: Record<string, unknown>, names: NameScope): void {
  const created = (relation: RangeVar | undefined) => {
    if (relation?.relname && (relation.relpersistence === TEMPORARY || relation.schemaname === 'pg_temp')) names.createdTemporary(relation.relname);
  };
  switch (tag) {
    case 'CreateStmt':
      created(body.relation as RangeVar | undefined);
      return;
    case 'CreateTableAsStmt':
      created((body.into as { rel?: RangeVar } | undefined)?.rel);
      return;
    case 'SelectStmt':
      created((body.intoClause as { rel?: RangeVar } | undefined)?.rel);
      return;
    case 'RenameStmt': {
      const relation = body.relation as RangeVar | undefined;
      if (body.renameType === 'OBJECT_TABLE' && relation?.schemaname === 'pg_temp' && relation.relname) {
        names.droppedTemporary(relation.relname);
        if (typeof body.newname === 'string') names.createdTemporary(body.newname);
      }
      return;
    }
    case 'DropStmt':
      for (const object of (body.objects as Node[] | undefined) ?? []) {
        const items = (payload<{ items?: Node[] }>(object, 'List')?.items ?? []).map((item) => payload<{ sval?: string }>(item, 'String')?.sval);
        if (items.length === 2 && items[0] === 'pg_temp' && items[1]) names.droppedTemporary(items[1]);
      }
      return;
    default:
  }
}

function firstRecognised(selector: string, node: unknown, context: RecogniseContext): { rule: Rule; drafts: ChangeDraft[] } | undefined {
  for (const rule of rulesFor(selector)) {
    const result = rule.recognise(node, context);
    if (result === undefined) continue;
    return { rule, drafts: Array.isArray(result) ? result : [result] };
  }
  return undefined;
}

function unknownDraft(selector: string, context: RecogniseContext): ChangeDraft {
  const result = unknownStatement.recognise({ selector }, context);
  return Array.isArray(result) ? result[0]! : result!;
}
