/**
 * The bottom SQL layer (packages/analyzer/src/sql) against a real PostgreSQL: every quoted identifier and
 * literal reads back as exactly the text it quotes, with standard_conforming_strings on and off, and every
 * comment stays one comment whatever it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTypeName } from '../../packages/analyzer/src/changes/typename.js';
import { loadParser, parseSql } from '../../packages/analyzer/src/source/parse.js';
import { SqlText } from '../../packages/analyzer/src/source/sql-text.js';
import { sqlComment } from '../../packages/analyzer/src/sql/comment.js';
import { fittedIdentifier } from '../../packages/analyzer/src/sql/name.js';
import { quoteIdent, quoteIdentAlways, quoteLiteral } from '../../packages/analyzer/src/sql/quote.js';
import { visible } from '../../packages/analyzer/src/sql/visible.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';
import { hostileNames, rawControlIn } from './hostile.js';

await loadParser();

const samples = [...Object.values(hostileNames('/tmp/never')), 'plain', 'select', 'Users', 'a\\b', "it's", '$$', '\t', 'x\u{1F600}\u200d\u{E0001}', '\\x41'];
/** Postgres keeps the first 63 bytes of an identifier (on a character boundary). */
function truncated(name: string): string {
  let kept = '';
  for (const character of name) {
    if (Buffer.byteLength(kept + character) > 63) break;
    kept += character;
  }
  return kept;
}

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('hostile_quoting');
});
afterAll(async () => {
  await db?.drop();
});

describe('quoting on a real server', () => {
  for (const conforming of ['on', 'off']) {
    it(`literals read back exactly with standard_conforming_strings ${conforming}`, async () => {
      await db.client.query(`SET standard_conforming_strings = ${conforming}`);
      for (const sample of samples) {
        const result = await db.client.query<{ value: string }>(`SELECT ${quoteLiteral(sample)} AS value`);
        expect(result.rows[0]!.value, JSON.stringify(sample)).toBe(sample);
      }
    });

    it(`identifiers name exactly the (truncated) object with standard_conforming_strings ${conforming}`, async () => {
      await db.client.query(`SET standard_conforming_strings = ${conforming}`);
      for (const sample of samples) {
        for (const quote of [quoteIdent, quoteIdentAlways]) {
          const result = await db.client.query(`SELECT 1 AS ${quote(sample)}`);
          expect(result.fields[0]!.name, JSON.stringify(sample)).toBe(truncated(sample));
        }
      }
    });
  }

  it('quoted names and literals hold no raw control character, and each is one token', () => {
    for (const sample of samples) {
      for (const text of [quoteIdent(sample), quoteIdentAlways(sample), quoteLiteral(sample)]) {
        expect(rawControlIn(text), text).toBeUndefined();
        expect(parseSql(new SqlText(`SELECT ${text.startsWith("'") || text.startsWith("E'") ? text : `1 AS ${text}`};`), 'q.sql')).toHaveLength(1);
      }
    }
  });

  it('a comment says anything and stays one comment line', async () => {
    for (const sample of samples) {
      const comment = sqlComment(`note: ${sample}`);
      expect(comment.split(/[\r\n]/)).toHaveLength(1);
      expect(rawControlIn(comment)).toBeUndefined();
      const result = await db.client.query(`${comment}\nSELECT 1 AS one`);
      expect(result.rows).toEqual([{ one: 1 }]);
    }
  });

  it('visible() keeps printable text and escapes every control, bidi and separator character', () => {
    expect(visible('prénom 日本 a\\b')).toBe('prénom 日本 a\\b');
    expect(visible('a\nb\rc\td\x1b[31m\u009b\u202e\u2028\u0000')).toBe('a\\nb\\rc\\td\\x1B[31m\\x9B\\u{202E}\\u{2028}\\x00');
  });

  it('made-up names (backups) stay unique within 63 bytes', () => {
    const a = fittedIdentifier(`${'t'.repeat(40)}__${'c'.repeat(30)}_one`);
    const b = fittedIdentifier(`${'t'.repeat(40)}__${'c'.repeat(30)}_two`);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(fittedIdentifier('short__name')).toBe('short__name');
  });
});

describe('formatTypeName', () => {
  const typeOf = (sql: string) => {
    const [statement] = parseSql(new SqlText(sql), 't.sql');
    const ast = statement!.node as unknown as { CreateStmt?: { tableElts: Array<{ ColumnDef: { typeName: Parameters<typeof formatTypeName>[0] } }> } };
    return formatTypeName(ast.CreateStmt!.tableElts[0]!.ColumnDef.typeName).sql;
  };

  it('quotes a single-name type that carries a modifier', () => {
    expect(typeOf('CREATE TABLE t (c "x)) FROM PUBLIC; DROP TABLE orders; --"(1));')).toBe('"x)) FROM PUBLIC; DROP TABLE orders; --"(1)');
    expect(typeOf('CREATE TABLE t (c "My Type"(4));')).toBe('"My Type"(4)');
  });

  it('keeps the canonical names of the built-in types', () => {
    expect(typeOf('CREATE TABLE t (c varchar(10));')).toBe('character varying(10)');
    expect(typeOf('CREATE TABLE t (c pg_catalog."char");')).toBe('"char"');
    expect(typeOf('CREATE TABLE t (c text);')).toBe('text');
    expect(typeOf('CREATE TABLE t (c timestamptz(3));')).toBe('timestamp(3) with time zone');
  });
});
