/**
 * JSON with comments (`//`, `/* … *\/`) and trailing commas, as editors write migcheck.config.jsonc. Both are
 * removed outside strings (the scanner skips string literals whole), then JSON.parse reads the rest and
 * reports whatever is still wrong.
 */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new SyntaxError('unterminated /* comment');
      out += ' ';
      i = end + 2;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

function withoutTrailingCommas(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (text[i] === ',' && /^\s*[}\]]/.test(text.slice(i + 1))) {
      i++;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}

export function parseJsonc(text: string): unknown {
  return JSON.parse(withoutTrailingCommas(withoutComments(text)));
}
