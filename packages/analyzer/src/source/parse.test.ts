import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { loadParser, parseSql } from './parse.js';
import { SqlText } from './sql-text.js';

await loadParser();
const parse = (text: string) => parseSql(new SqlText(text), 'm.sql');
const errorOf = (text: string): InputError => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('parseSql', () => {
  it('finds each statement with its first keyword position and text', () => {
    const statements = parse('-- intro\nCREATE TABLE a (id int);\n\n  /* c */ ALTER TABLE a ADD b int;');
    expect(statements.map((s) => [s.tag, s.position.line, s.position.column, s.text])).toEqual([
      ['CreateStmt', 2, 1, 'CREATE TABLE a (id int)'],
      ['AlterTableStmt', 4, 11, 'ALTER TABLE a ADD b int'],
    ]);
  });

  it('reads an empty or comment-only file as zero statements', () => {
    expect(parse('')).toEqual([]);
    expect(parse('-- nothing here\n/* at all */\n')).toEqual([]);
    expect(parse(';;')).toEqual([]);
  });

  it('reports a syntax error at its line and column, counting characters not bytes', () => {
    const error = errorOf("SELECT 'héllo';\nSELECT 'wörld' FRO x;\nALTER TABEL a;");
    expect(error.message).toBe('m.sql:2:20: syntax error at or near "x"');
    expect([error.line, error.column]).toEqual([2, 20]);
  });

  it('reports an unterminated statement at the end of input', () => {
    expect(errorOf('CREATE TABLE a (id int').message).toBe('m.sql:1:23: syntax error at end of input');
  });

  it('names psql meta-commands, which are not SQL', () => {
    const error = errorOf('SELECT 1;\n\\set ON_ERROR_STOP on\nSELECT 2;');
    expect(error.message).toMatch(/^m\.sql:2:1: psql meta-command \\set is not SQL/);
  });
});
