/**
 * The migrations of a folder of code files whose SQL is captured by running them (TypeORM, Sequelize): each one's
 * `up` and `down` texts are the captured SQL, and its gaps say what the capture may miss. The capture runs once per
 * folder, when the first text or gap is read.
 */
import type { CodeCapture, MigrationEntry } from '../layouts.js';
import { captureMigrations, capturedSqlText, type MigrationCapture } from './capture.js';

export interface CodeMigrationFile {
  /** Relative to the migrations folder, with `/`. */
  file: string;
  absolute: string;
  version: string;
  name: string;
  /** The tool's own name of the migration (what its tracking table records). */
  id: string;
  /** Whether the text defines a `down` (whether it really exports one is known once it runs). */
  hasDown: boolean;
}

export function capturedMigrationEntries(tool: CodeCapture['tool'] & ('typeorm' | 'sequelize'), files: CodeMigrationFile[], cwd: string): MigrationEntry[] {
  let captures: MigrationCapture[] | undefined;
  const notes = files.map((): string[] => []);
  const capture = (index: number): MigrationCapture => {
    if (!captures) {
      captures = captureMigrations(
        files.map((file) => file.absolute),
        { cwd, tool },
      );
      captures.forEach((captured, at) => {
        if (captured.down && captured.down.gaps.length > 0) notes[at]!.push(`down not fully captured: it ${captured.down.gaps.join('; it ')}`);
      });
    }
    return captures[index]!;
  };
  return files.map((file, index): MigrationEntry => {
    const codeCapture: CodeCapture = {
      tool,
      language: /\.[mc]?ts$/.test(file.file) ? 'typescript' : 'javascript',
      get upGaps() {
        return capture(index).up.gaps;
      },
      get downGaps() {
        return capture(index).down?.gaps ?? [];
      },
    };
    return {
      version: file.version,
      name: file.name,
      id: file.id,
      up: { file: file.file, cut: () => capturedSqlText(capture(index).up) },
      ...(file.hasDown ? { down: { file: file.file, cut: () => capturedSqlText(capture(index).down ?? { queries: [], gaps: [] }) } } : {}),
      capture: codeCapture,
      notes: notes[index]!,
    };
  });
}
