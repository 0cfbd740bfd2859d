/**
 * JSON output (`--format json`, `sarif`). JSON.stringify escapes C0 controls but leaves DEL, the C1 controls
 * (U+009B is a CSI to many terminals), the line and paragraph separators and the bidi and zero-width format
 * characters raw. They can only occur inside JSON strings, so writing them as `\uXXXX` keeps the document
 * equal and makes it safe to print to a terminal or a CI log.
 */
const RAW_IN_JSON = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

function unicodeEscapes(character: string): string {
  let escaped = '';
  for (let index = 0; index < character.length; index++) escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
  return escaped;
}

/** `JSON.stringify(value, null, 2)` and a final newline, with no unprintable character left raw. */
export function inertJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(RAW_IN_JSON, unicodeEscapes)}\n`;
}
