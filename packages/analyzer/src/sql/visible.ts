/**
 * Text from untrusted input (object names, file paths, server messages) made safe to print: every character
 * that a terminal, a log viewer or an editor would act on instead of showing is replaced by a visible escape.
 * That covers line breaks (so a name cannot forge an extra line), ESC and every other C0/C1 control (so no
 * terminal escape sequence reaches the screen), and the invisible format characters: bidi overrides and
 * isolates (Trojan Source), zero-width characters, the BOM. Printable non-ASCII text (é, 日本) stays as it is.
 */

// Cc: C0, DEL, C1 controls; Cf: format characters (bidi controls, zero-width, BOM); Zl/Zp: U+2028/U+2029;
// Cs: lone surrogates (a string that is not valid UTF-16 cannot be printed faithfully).
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const UNPRINTABLE_TEST = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\r`, `\t`, `\xHH` below U+0100, `\u{HHHH}` above: one visible escape per unprintable character. */
export function escapeCharacter(character: string): string {
  const short = SHORT[character];
  if (short) return short;
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code < 0x100 ? `\\x${hex.padStart(2, '0')}` : `\\u{${hex.padStart(4, '0')}}`;
}

/** `text` with every unprintable character replaced by its visible escape: always one line, never a control byte. */
export function visible(text: string): string {
  return text.replace(UNPRINTABLE, escapeCharacter);
}

export function hasUnprintable(text: string): boolean {
  return UNPRINTABLE_TEST.test(text);
}
