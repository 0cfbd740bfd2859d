/**
 * goose SQL migrations: one file holds both directions, cut by annotation lines (pressly/goose v3,
 * internal/sqlparser): `-- +goose Up`, `-- +goose Down`, `-- +goose StatementBegin` / `StatementEnd` (a statement
 * with semicolons inside), `-- +goose NO TRANSACTION`, `-- +goose ENVSUB ON` / `OFF`. Annotations are
 * case-insensitive and start their line. Only the Up section is the migration; the Down section is its down.
 * goose refuses a file without an Up annotation, with SQL before it, or with an unclosed StatementBegin: so
 * does migcheck.
 */

export interface GooseFile {
  /** Character offsets of each section's text (after its annotation line, up to the next section's). */
  up: { from: number; to: number };
  down?: { from: number; to: number };
  /** False with `-- +goose NO TRANSACTION`: goose runs both directions outside a transaction. */
  transaction: boolean;
  /** `-- +goose ENVSUB ON` somewhere: goose substitutes `${VAR}` from its environment; migcheck does not. */
  envsub: boolean;
  /** Annotations goose does not define, with their line: kept as comments. */
  unknownAnnotations: { line: number; text: string }[];
}

export interface GooseProblem {
  line: number;
  column: number;
  message: string;
}

const ANNOTATION = /^--\s*\+goose\b(.*)$/i;

/** Whether a text holds goose annotations at all (an Up annotation makes a file goose's). */
export function hasGooseUp(text: string): boolean {
  return /^--\s*\+goose\s+up\s*$/im.test(text);
}

/** The structure of a goose file, or the problem goose itself would refuse it for. */
export function parseGooseFile(text: string): GooseFile | GooseProblem {
  let state: 'start' | 'up' | 'down' = 'start';
  let inStatement = 0; // line of the open StatementBegin, 0 when none
  let upFrom = -1;
  let upTo = text.length;
  let downFrom = -1;
  let transaction = true;
  let envsub = false;
  const unknownAnnotations: GooseFile['unknownAnnotations'] = [];

  let offset = 0;
  let lineNumber = 0;
  while (offset <= text.length) {
    const newline = text.indexOf('\n', offset);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(offset, end).replace(/\r$/, '');
    const next = newline < 0 ? text.length + 1 : newline + 1;
    lineNumber++;
    const annotation = ANNOTATION.exec(line);
    const command = annotation ? annotation[1]!.trim().toLowerCase().replace(/\s+/g, ' ') : undefined;
    const problem = (message: string, column = 1): GooseProblem => ({ line: lineNumber, column, message });

    switch (command) {
      case 'up':
        if (state !== 'start') return problem("a second '-- +goose Up' annotation: goose refuses this file");
        state = 'up';
        upFrom = Math.min(next, text.length);
        break;
      case 'down':
        if (state !== 'up') return problem("'-- +goose Down' before '-- +goose Up': goose refuses this file");
        if (inStatement) return problem(`'-- +goose Down' inside the StatementBegin of line ${inStatement}: goose refuses this file`);
        state = 'down';
        upTo = offset;
        downFrom = Math.min(next, text.length);
        break;
      case 'statementbegin':
        if (state === 'start') return problem("'-- +goose StatementBegin' before '-- +goose Up': goose refuses this file");
        if (inStatement) return problem(`'-- +goose StatementBegin' inside the one of line ${inStatement}: goose refuses this file`);
        inStatement = lineNumber;
        break;
      case 'statementend':
        if (!inStatement) return problem("'-- +goose StatementEnd' without a StatementBegin: goose refuses this file");
        inStatement = 0;
        break;
      case 'no transaction':
        transaction = false;
        break;
      case 'envsub on':
        envsub = true;
        break;
      case 'envsub off':
        break;
      case undefined: {
        // Before the Up annotation goose accepts only blank lines and comments.
        const trimmed = line.trim();
        if (state === 'start' && trimmed !== '' && !trimmed.startsWith('--')) {
          return problem("SQL before the '-- +goose Up' annotation: goose refuses this file", line.length - line.trimStart().length + 1);
        }
        break;
      }
      default:
        unknownAnnotations.push({ line: lineNumber, text: line.trim() });
    }
    offset = next;
  }
  if (state === 'start') return { line: 1, column: 1, message: "no '-- +goose Up' annotation: goose refuses this file" };
  if (inStatement) return { line: inStatement, column: 1, message: "'-- +goose StatementBegin' is never ended by a StatementEnd: goose refuses this file" };
  return {
    up: { from: upFrom, to: upTo },
    ...(downFrom >= 0 ? { down: { from: downFrom, to: text.length } } : {}),
    transaction,
    envsub,
    unknownAnnotations,
  };
}

export function isGooseProblem(parsed: GooseFile | GooseProblem): parsed is GooseProblem {
  return 'message' in parsed;
}

/**
 * One section of a goose file as the whole file with every character outside it replaced by a space (newlines
 * kept), so that lines and columns stay the file's own. A file with no Down section has an empty down.
 */
export function extractGooseSection(text: string, file: GooseFile, direction: 'up' | 'down'): string {
  const range = direction === 'up' ? file.up : file.down;
  if (!range) return blank(text);
  return blank(text.slice(0, range.from)) + text.slice(range.from, range.to) + blank(text.slice(range.to));
}

function blank(text: string): string {
  return text.replace(/[^\n]/gu, ' ');
}
