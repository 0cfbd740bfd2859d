import { describe, expect, it } from 'vitest';
import { loadParser, parseSql } from './parse.js';
import { readDirectives } from './directives.js';
import { SqlText } from './sql-text.js';

await loadParser();

function directivesOf(text: string) {
  const sql = new SqlText(text);
  return readDirectives(sql, parseSql(sql, 'm.sql'));
}

describe('readDirectives', () => {
  it('attaches an acknowledgement to the statement that follows it', () => {
    const directives = directivesOf('SELECT 1;\n-- migcheck:acknowledge drop-column, drop-table we exported the data (JIRA-1)\nALTER TABLE t DROP COLUMN c;');
    expect(directives.byStatement.get(1)).toEqual([{ rules: ['drop-column', 'drop-table'], reason: 'we exported the data (JIRA-1)', line: 2 }]);
    expect(directives.byStatement.get(0)).toBeUndefined();
  });

  it('attaches a trailing comment to the statement on its line', () => {
    const directives = directivesOf('ALTER TABLE t DROP COLUMN c; -- migcheck:acknowledge drop-column\nSELECT 1;');
    expect(directives.byStatement.get(0)?.[0]?.rules).toEqual(['drop-column']);
  });

  it('reads file-wide acknowledgements and ignores look-alikes inside strings', () => {
    const directives = directivesOf("/* migcheck:acknowledge-file all */\nSELECT '-- migcheck:acknowledge drop-column';");
    expect(directives.file.map((ack) => ack.rules)).toEqual([['all']]);
    expect(directives.byStatement.size).toBe(0);
  });
});
