/**
 * A SQL text with the position arithmetic the parser needs.
 *
 * libpg-query reports statement and node locations as UTF-8 byte offsets, and syntax errors as a
 * 0-based code-point offset. People (and editors, and GitHub annotations) want 1-based line and
 * column counted in characters. This class converts between the three once per file.
 */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters (Unicode code points). */
  column: number;
}

export class SqlText {
  readonly text: string;
  private readonly bytes: Buffer;
  /** Byte offset at which each line starts. */
  private readonly lineStartBytes: number[];
  private asciiOnly: boolean;

  constructor(text: string) {
    this.text = text;
    this.bytes = Buffer.from(text, 'utf8');
    this.asciiOnly = this.bytes.length === text.length;
    this.lineStartBytes = [0];
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i] === 0x0a) this.lineStartBytes.push(i + 1);
    }
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** The text between two byte offsets. */
  sliceBytes(start: number, end?: number): string {
    return this.bytes.subarray(start, end).toString('utf8');
  }

  positionOfByte(byteOffset: number): Position {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let low = 0;
    let high = this.lineStartBytes.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStartBytes[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    const lineStart = this.lineStartBytes[low] ?? 0;
    const column = this.asciiOnly
      ? offset - lineStart
      : countCodePoints(this.bytes.subarray(lineStart, offset).toString('utf8'));
    return { line: low + 1, column: column + 1 };
  }

  /** Position of a 0-based code-point offset (the unit of libpg-query's error cursor). */
  positionOfCodePoint(codePointOffset: number): Position {
    let line = 1;
    let column = 1;
    let seen = 0;
    for (const char of this.text) {
      if (seen >= codePointOffset) break;
      seen++;
      if (char === '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return { line, column };
  }

  /** Code-point offset → byte offset. */
  byteOfCodePoint(codePointOffset: number): number {
    let seen = 0;
    let bytes = 0;
    for (const char of this.text) {
      if (seen >= codePointOffset) break;
      seen++;
      bytes += Buffer.byteLength(char, 'utf8');
    }
    return bytes;
  }

  /**
   * The byte offset of the first character at or after `byteOffset` that is not white space or a
   * comment. libpg-query's statement locations start right after the previous semicolon, so the
   * leading comments of a statement are part of its span; a reader wants the first keyword. A block
   * comment that is never closed stops the skipping at its start.
   */
  skipTrivia(byteOffset: number, endByte = this.bytes.length): number {
    const b = this.bytes;
    let i = byteOffset;
    while (i < endByte) {
      const c = b[i];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) {
        i++;
      } else if (c === 0x2d && b[i + 1] === 0x2d) {
        while (i < endByte && b[i] !== 0x0a) i++;
      } else if (c === 0x2f && b[i + 1] === 0x2a) {
        // Postgres block comments nest. One never closed is not trivia: it is the parser's syntax error.
        const commentStart = i;
        let depth = 1;
        i += 2;
        while (i < endByte && depth > 0) {
          if (b[i] === 0x2f && b[i + 1] === 0x2a) {
            depth++;
            i += 2;
          } else if (b[i] === 0x2a && b[i + 1] === 0x2f) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        }
        if (depth > 0) return commentStart;
      } else {
        break;
      }
    }
    return i;
  }
}

function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
