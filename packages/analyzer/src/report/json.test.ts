import { describe, expect, test } from 'vitest';
import { inertJson, inertJsonPieces } from './json.js';

describe('inertJsonPieces', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['nested arrays and objects', { version: 1, migrations: [{ id: 'a', changes: [{ rule: 'x', lines: [1, 2] }], empty: [] }, { id: 'b\nc' }], summary: { safe: 1 } }],
    ['empty arrays and objects', { migrations: [], notes: {}, other: [[]] }],
    ['undefined, functions and nulls', { a: undefined, b: () => 1, c: null, migrations: [undefined, null, 3] }],
    ['characters a terminal would act on', { 'key\u009b': ['\u202e\u2028x\u007f', { '\u200b': 'é😀' }] }],
    ['nothing', {}],
  ];
  test.each(cases)('%s: the pieces join to inertJson', (_name, value) => {
    expect([...inertJsonPieces(value)].join('')).toBe(inertJson(value));
  });

  test('one piece per array element', () => {
    const migrations = Array.from({ length: 1000 }, (_, index) => ({ id: index }));
    expect([...inertJsonPieces({ migrations })].length).toBe(1000 + 4); // {, the key and [, the elements, ], }
  });
});
