/**
 * Each logical rollback step in its production form (./step.ts): the first module that recognises the
 * statement, parsed with the real parser, gives it. A statement no module recognises runs as written and says
 * that its lock is unknown: never guessed.
 */
import type { RollbackStep } from '../../changes/types.js';
import { InputError } from '../../errors.js';
import { parseSql, type ParsedStatement } from '../../source/parse.js';
import { SqlText } from '../../source/sql-text.js';
import { addColumn } from './add-column.js';
import { addConstraint } from './add-constraint.js';
import { alterColumnType } from './alter-column-type.js';
import { columnSetting, dropColumn, dropConstraint, dropIdentity } from './column-commands.js';
import { createIndex } from './create-index.js';
import { createObject } from './create-object.js';
import { createSchema, createTable, createTableAs } from './create-table.js';
import { domainConstraint } from './domain.js';
import { dropIndex } from './drop-index.js';
import { dropObject } from './drop-object.js';
import { partition } from './partition.js';
import { rename } from './rename.js';
import { setNotNull } from './set-not-null.js';
import { NO_CONTEXT, type OnlineContext, type OnlineForm, type OnlineStep } from './step.js';

export type { OnlineContext, OnlineStep } from './step.js';

export const ONLINE_FORMS: readonly OnlineForm[] = [
  createIndex,
  dropIndex,
  dropObject,
  addConstraint,
  setNotNull,
  dropColumn,
  dropConstraint,
  columnSetting,
  dropIdentity,
  addColumn,
  alterColumnType,
  createTable,
  createTableAs,
  createSchema,
  createObject,
  rename,
  partition,
  domainConstraint,
];

function parseStep(sql: string): ParsedStatement | undefined {
  try {
    const statements = parseSql(new SqlText(sql), 'rollback step');
    return statements.length === 1 ? statements[0] : undefined;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return undefined; // a step the parser refuses is run as written, its lock unknown
  }
}

/** The statements that do what `step` does online and can run again, each with its lock. */
export function onlineSteps(step: RollbackStep, context: OnlineContext = NO_CONTEXT): OnlineStep[] {
  const statement = parseStep(step.sql);
  if (statement) {
    for (const form of ONLINE_FORMS) {
      const online = form.online(statement, context);
      if (online) return online.map((onlineStep) => ({ ...onlineStep, logical: step.sql }));
    }
  }
  return [
    {
      sql: step.sql,
      transactional: step.transactional,
      lock: `unknown (${statement ? `${statement.tag} is not one migcheck has an online form for` : 'the statement could not be read'})`,
      effect: 'check what it locks before running it on a busy database',
      scans: false,
      logical: step.sql,
      unrecognised: true,
    },
  ];
}

/** The lock comment said next to a step. */
export function lockLine(step: OnlineStep): string {
  return `lock: ${step.lock}; ${step.effect}`;
}
