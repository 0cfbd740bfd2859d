import type { CodeStep } from '../../source/layouts.js';
import { defineRule } from '../rule.js';
import type { Change } from '../types.js';

interface CodeMigration {
  language: CodeStep['language'];
  /** For a migration whose SQL was captured by running it (knex): why the capture may not be complete. */
  captureGaps?: string[];
  tool?: string;
}

const LANGUAGE_NAMES: Record<CodeStep['language'], string> = { go: 'Go', javascript: 'JavaScript', typescript: 'TypeScript' };

/**
 * A migration written as code (goose's `.go` migrations) is a step of the history migcheck cannot read: it may
 * change anything. Not a statement: the analysis makes this change for such a migration (codeMigrationChange).
 */
export const codeMigration = defineRule<never, CodeMigration>({
  id: 'code-migration',
  kind: 'unknown',
  readsPrior: false,
  title: 'Migration written as code (not read)',
  explain: `A migration written in a programming language, such as goose's Go migrations kept next to its SQL
files, runs code migcheck does not read: it may change the schema or the data in any way. Its rollback is
unknown, so it is risky, never safe; and the schema after it is unknown, so a replay of the history stops there
and the migrations after it have no prior schema. Write the schema changes as SQL migrations where you can.

A knex migration is read by running its up and down against a recording client that executes nothing: its
captured SQL is analysed like any migration's. When the capture is not complete (the code reads the database
or the environment and acts on the empty answer, throws, cannot be loaded, or runs too long), the migration is
"not fully captured": risky, with the reason, since a real database may get other statements.`,
  on: [],
  recognise: () => undefined,
  assess({ details }) {
    const language = LANGUAGE_NAMES[details.language];
    if (details.captureGaps) {
      return {
        verdict: 'risky',
        evidence: 'static',
        reason: `Not fully captured: this ${details.tool ?? language} migration ${details.captureGaps.join('; it ')}. The SQL captured from it is analysed, but on a real database it may send other statements, so its rollback is not known to be complete.`,
        rollback: [],
      };
    }
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

/** The change that says a captured code migration (knex) is not fully captured, at its first line. */
export function partialCaptureChange(language: CodeStep['language'], tool: string, gaps: string[]): Change<CodeMigration> {
  return { ...codeMigrationChange({ language }), object: `(${tool} migration, not fully captured)`, details: { language, tool, captureGaps: gaps } };
}
