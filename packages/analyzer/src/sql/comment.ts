/**
 * SQL comments around generated statements. A `--` comment ends at the first CR or LF (the server's and
 * psql's lexers agree on that), so any text placed in one (a reason, a note, an object name, a file path)
 * goes through `sqlComment`, which keeps it on one line with every unprintable character escaped: nothing in
 * it can end the comment early and become a statement. migcheck writes no `/* … *\/` comments.
 */
import { visible } from './visible.js';

/** One inert `-- ` comment line that says `text` (line breaks and control characters shown as escapes). */
export function sqlComment(text: string): string {
  return `-- ${visible(text)}`.trimEnd();
}

/** Several inert comment lines, one per item of `lines`. */
export function sqlComments(lines: readonly string[]): string[] {
  return lines.map(sqlComment);
}
