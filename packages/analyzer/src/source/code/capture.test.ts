import { describe, expect, it } from 'vitest';
import { capturedSqlText } from './capture.js';

describe('capturedSqlText', () => {
  it('puts each query on the line of the builder call that made it, ended by a semicolon', () => {
    const text = capturedSqlText({ queries: [{ sql: 'create table "a" ("id" serial primary key)', line: 3 }, { sql: 'alter table "a" add column "b" text' }], gaps: [] });
    expect(text).toBe('\n\ncreate table "a" ("id" serial primary key);\nalter table "a" add column "b" text;\n');
  });

  it('never lets a trailing line comment swallow the semicolon, nor a line go backwards', () => {
    const text = capturedSqlText({ queries: [{ sql: 'select 1 -- one', line: 2 }, { sql: 'select 2;', line: 1 }], gaps: [] });
    expect(text).toBe('\nselect 1 -- one\n;\nselect 2;\n');
  });

  it("sets the knexfile's searchPath first, quoted", () => {
    expect(capturedSqlText({ queries: [{ sql: 'create table "t" ()' }], gaps: [] }, ['app"s', 'public'])).toBe('SET search_path TO "app""s", "public";\ncreate table "t" ();\n');
  });
});
