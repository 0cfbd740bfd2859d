import { describe, expect, it } from 'vitest';
import { SqlText } from './sql-text.js';

describe('SqlText', () => {
  it('converts UTF-8 byte offsets to 1-based line and character column', () => {
    const sql = new SqlText("-- héllo wörld\nSELECT 'é', x;\n");
    const xByte = Buffer.byteLength("-- héllo wörld\nSELECT 'é', ");
    expect(sql.positionOfByte(xByte)).toEqual({ line: 2, column: 13 });
    expect(sql.positionOfByte(0)).toEqual({ line: 1, column: 1 });
  });

  it('counts astral characters (emoji) as one column', () => {
    const sql = new SqlText("SELECT '😀', y");
    expect(sql.positionOfByte(Buffer.byteLength("SELECT '😀', "))).toEqual({ line: 1, column: 13 });
    expect(sql.positionOfCodePoint(12)).toEqual({ line: 1, column: 13 });
  });

  it('skips white space and nested comments to the first keyword', () => {
    const sql = new SqlText('  -- a\n /* b /* nested */ still */\n\tALTER');
    expect(sql.sliceBytes(sql.skipTrivia(0))).toBe('ALTER');
  });
});
