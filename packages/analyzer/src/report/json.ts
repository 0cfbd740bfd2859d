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
  return `${inert(JSON.stringify(value, null, 2))}\n`;
}

/**
 * inertJson of an object, in pieces that join to exactly its text: each element of an array property is its own
 * piece, so that a report of thousands of migrations is never held as one string of its whole JSON.
 */
export function* inertJsonPieces(value: Record<string, unknown>): Generator<string> {
  // The properties JSON.stringify writes: it leaves out undefined, functions and symbols.
  const entries = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol');
  if (entries.length === 0) {
    yield inertJson(value);
    return;
  }
  yield '{\n';
  for (const [index, [key, item]] of entries.entries()) {
    const comma = index < entries.length - 1 ? ',' : '';
    if (Array.isArray(item) && item.length > 0) {
      yield `  ${inert(JSON.stringify(key))}: [\n`;
      for (const [at, element] of item.entries()) yield `    ${indented(element, '    ')}${at < item.length - 1 ? ',' : ''}\n`;
      yield `  ]${comma}\n`;
    } else {
      yield `  ${inert(JSON.stringify(key))}: ${indented(item, '  ')}${comma}\n`;
    }
  }
  yield '}\n';
}

/** JSON.stringify(value, null, 2) nested at `prefix` (a newline in the text is always structure: strings escape theirs). */
function indented(value: unknown, prefix: string): string {
  return inert(JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${prefix}`);
}

function inert(json: string): string {
  return json.replace(RAW_IN_JSON, unicodeEscapes);
}
