/**
 * Statements → changes. ALTER TABLE yields one change per subcommand. Statements that change nothing
 * persistent (BEGIN, SET, ANALYZE…) yield none; anything no rule recognises yields an `unknown` change.
 */
import type { AlterTableCmd, AlterTableStmt, Node, VariableSetStmt } from 'libpg-query';
import type { ParsedStatement } from '../source/parse.js';
import type { Position } from '../source/sql-text.js';
import { payload } from './ast.js';
import { rulesFor, unknownStatement } from './registry.js';
import type { RecogniseContext, Rule } from './rule.js';
import type { Change, ChangeDraft } from './types.js';

/** Statements that leave nothing behind to roll back. */
const NO_PERSISTENT_CHANGE = new Set([
  'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'VacuumStmt', 'CheckPointStmt', 'LockStmt', 'DiscardStmt',
  'NotifyStmt', 'ListenStmt', 'UnlistenStmt', 'DeallocateStmt', 'PrepareStmt', 'ReindexStmt', 'ClusterStmt',
  'RefreshMatViewStmt', 'LoadStmt', 'ConstraintsSetStmt', 'ClosePortalStmt',
]);

/** Statements that change nothing unless a rule recognises them (SELECT … INTO, a SELECT of functions, COPY … FROM). */
const NO_CHANGE_WHEN_UNCLAIMED = new Set(['SelectStmt', 'ExplainStmt', 'CopyStmt']);

export interface RecogniseOptions {
  defaultSchema?: string;
  /** Byte offset → line and column in the statement's file. */
  locate: (byteOffset: number) => Position;
}

export function recogniseChanges(statements: ParsedStatement[], options: RecogniseOptions): Change[] {
  let defaultSchema = options.defaultSchema ?? 'public';
  const changes: Change[] = [];

  statements.forEach((statement, statementIndex) => {
    if (statement.tag === 'VariableSetStmt') {
      defaultSchema = searchPathSchema(payload<VariableSetStmt>(statement.node, 'VariableSetStmt'), defaultSchema);
    }
    if (NO_PERSISTENT_CHANGE.has(statement.tag)) return;

    const emit = (rule: Rule, drafts: ChangeDraft[], precise = false) => {
      for (const draft of drafts) {
        changes.push({
          ...draft,
          kind: rule.kind,
          rule: rule.id,
          position: precise && draft.locationByte !== undefined ? options.locate(draft.locationByte) : statement.position,
          statementIndex,
          statementText: statement.text,
        });
      }
    };
    const context: RecogniseContext = { statement, defaultSchema };

    if (statement.tag === 'AlterTableStmt') {
      const alter = payload<AlterTableStmt>(statement.node, 'AlterTableStmt');
      const alterContext: RecogniseContext = {
        ...context,
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
      return;
    }

    const body = payload<unknown>(statement.node, statement.tag);
    const found = firstRecognised(statement.tag, body, context);
    if (found) emit(found.rule, found.drafts);
    else if (!NO_CHANGE_WHEN_UNCLAIMED.has(statement.tag)) emit(unknownStatement, [unknownDraft(statement.tag, context)]);
  });
  return changes;
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

/** `SET search_path TO a, b`: unqualified names now resolve to `a` (skipping "$user"). */
function searchPathSchema(set: VariableSetStmt | undefined, current: string): string {
  if (!set || set.name !== 'search_path') return current;
  if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return 'public';
  for (const arg of set.args ?? []) {
    const value = stringValue(arg);
    if (value && value !== '$user' && value !== 'pg_catalog') return value;
  }
  return current;
}

function stringValue(node: Node): string | undefined {
  const constant = payload<{ sval?: { sval?: string } }>(node, 'A_Const');
  if (constant?.sval?.sval !== undefined) return constant.sval.sval;
  return payload<{ sval?: string }>(node, 'String')?.sval;
}
