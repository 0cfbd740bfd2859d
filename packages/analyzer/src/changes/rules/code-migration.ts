import type { CodeStep } from '../../source/layouts.js';
import { defineRule } from '../rule.js';
import type { Change } from '../types.js';

interface CodeMigration {
  language: CodeStep['language'];
}

const LANGUAGE_NAMES: Record<CodeStep['language'], string> = { go: 'Go' };

/**
 * A migration written as code (goose's `.go` migrations) is a step of the history migcheck cannot read: it may
 * change anything. Not a statement: the analysis makes this change for such a migration (codeMigrationChange).
 */
export const codeMigration = defineRule<never, CodeMigration>({
  id: 'code-migration',
  kind: 'unknown',
  title: 'Migration written as code (not read)',
  explain: `A migration written in a programming language, such as goose's Go migrations kept next to its SQL
files, runs code migcheck does not read: it may change the schema or the data in any way. Its rollback is
unknown, so it is risky, never safe; and the schema after it is unknown, so a replay of the history stops there
and the migrations after it have no prior schema. Write the schema changes as SQL migrations where you can.`,
  on: [],
  recognise: () => undefined,
  assess({ details }) {
    const language = LANGUAGE_NAMES[details.language];
    return {
      verdict: 'risky',
      evidence: 'static',
      reason: `Code migration, not read: this ${language} migration runs code migcheck cannot see into, so what it changes and how to roll it back are unknown.`,
      rollback: [],
    };
  },
});

/** The one change of a code migration: the whole file, at its first line. */
export function codeMigrationChange(step: CodeStep): Change<CodeMigration> {
  const language = LANGUAGE_NAMES[step.language];
  return {
    kind: 'unknown',
    rule: 'code-migration',
    object: `(${language} migration)`,
    details: { language: step.language },
    position: { line: 1, column: 1 },
    statementIndex: 0,
    statementText: '',
  };
}
