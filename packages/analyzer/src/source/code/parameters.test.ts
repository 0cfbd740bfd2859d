import { describe, expect, it } from 'vitest';
import { inlineParameters, parameterLiteral } from './parameters.js';

describe('inlineParameters', () => {
  it('writes each $n as a literal quoted by sql/quote.ts, as pg would send the value', () => {
    expect(inlineParameters('INSERT INTO t VALUES ($1, $2, $3, $4, $10)', ["o'b", 0, null, true, ...Array(5).fill(1), 'ten'])).toBe(
      "INSERT INTO t VALUES ('o''b', '0', NULL, 'true', 'ten')",
    );
  });

  it('leaves $n alone inside strings, quoted identifiers, comments and dollar quotes', () => {
    const sql = `SELECT '$1', "$1", $tag$ $1 $tag$, $$ $1 $$ -- $1\n/* $1 */, $1`;
    expect(inlineParameters(sql, ['x'])).toBe(`SELECT '$1', "$1", $tag$ $1 $tag$, $$ $1 $$ -- $1\n/* $1 */, 'x'`);
  });

  it('keeps a placeholder with no parameter, and the text when there are none', () => {
    expect(inlineParameters('SELECT $2', ['a'])).toBe('SELECT $2');
    expect(inlineParameters('SELECT $1', undefined)).toBe('SELECT $1');
  });

  it('writes backslashes, dates, arrays, JSON and bytes the way the driver sends them', () => {
    expect(parameterLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(parameterLiteral(['a', 'b"c'])).toBe(`E'{"a","b\\\\"c"}'`);
    expect(parameterLiteral({ a: 1 })).toBe(`'{"a":1}'`);
    expect(parameterLiteral(Buffer.from([0xde, 0xad]))).toBe("E'\\\\xdead'::bytea");
    expect(parameterLiteral(new Date(Date.UTC(2024, 0, 2)))).toMatch(/^'2024-01-0[12]T/);
  });
});
