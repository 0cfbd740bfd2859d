import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { applySql } from './apply.js';

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('shadow_apply');
});
afterAll(async () => {
  await db?.drop();
});

async function tableNames(): Promise<string[]> {
  const { rows } = await db.client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

describe('applySql', () => {
  test('applies a file statement by statement, with semicolons inside strings and dollar-quoted bodies', async () => {
    const failure = await applySql(db.client, {
      path: 'm/001_split.sql',
      text: `
        CREATE TABLE split_a (id int, note text DEFAULT 'a;b');
        CREATE FUNCTION split_f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
        -- a comment; with a semicolon
        CREATE TABLE split_b (id int);
      `,
    });
    expect(failure).toBeUndefined();
    expect(await tableNames()).toEqual(expect.arrayContaining(['split_a', 'split_b']));
  });

  test('runs CREATE INDEX CONCURRENTLY (which refuses a transaction block or a multi-statement query)', async () => {
    const failure = await applySql(db.client, {
      path: 'm/002_concurrently.sql',
      text: 'CREATE TABLE conc (id int);\nCREATE INDEX CONCURRENTLY conc_id_idx ON conc (id);\n',
    });
    expect(failure).toBeUndefined();
    const { rows } = await db.client.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'conc_id_idx'`);
    expect(rows).toHaveLength(1);
  });

  test("runs files that hold their own BEGIN/COMMIT", async () => {
    const failure = await applySql(db.client, {
      path: 'm/003_tx.sql',
      text: 'BEGIN;\nCREATE TABLE in_tx (id int);\nCOMMIT;\n',
    });
    expect(failure).toBeUndefined();
    expect(await tableNames()).toContain('in_tx');
    expect(db.client.getTransactionStatus()).toBe('I');
  });

  test("reports the failing statement's path:line:col at the server's error position, and the server's message", async () => {
    const failure = await applySql(db.client, {
      path: 'm/004_fails.sql',
      text: ['CREATE TABLE fails_a (id int);', '', 'INSERT INTO fails_a (id)', '  SELECT id FROM nowhere;', 'CREATE TABLE never_created (id int);'].join('\n'),
    });
    expect(failure).toEqual({
      path: 'm/004_fails.sql',
      line: 4,
      column: 18, // the server's cursor: `nowhere`
      message: 'relation "nowhere" does not exist',
      code: '42P01',
    });
    expect(await tableNames()).toContain('fails_a');
    expect(await tableNames()).not.toContain('never_created');
  });

  test('without a server position, the failure is at the start of the statement (line 3)', async () => {
    const failure = await applySql(db.client, {
      path: 'm/005_fails.sql',
      text: 'SELECT 1;\n-- then\n  DROP TABLE missing_table;\n',
    });
    expect(failure).toMatchObject({ path: 'm/005_fails.sql', line: 3, column: 3, code: '42P01' });
    expect(failure?.message).toBe('table "missing_table" does not exist');
  });

  test('counts the server position in characters, not bytes', async () => {
    const failure = await applySql(db.client, {
      path: 'm/006_unicode.sql',
      text: "SELECT 'é😀' AS x,\n       'ü' || missing_column;\n",
    });
    expect(failure).toMatchObject({ line: 2, column: 15, code: '42703' });
  });

  describe('as one transaction (transaction: true): statements sent in batches', () => {
    /** The queries applySql sends, by counting calls of client.query while it runs. */
    async function queriesSent(run: () => Promise<unknown>): Promise<string[]> {
      const sent: string[] = [];
      const original = db.client.query.bind(db.client);
      const counting = ((text: unknown, ...rest: unknown[]) => {
        sent.push(typeof text === 'string' ? text : JSON.stringify(text));
        return (original as (...args: unknown[]) => unknown)(text, ...rest);
      }) as typeof db.client.query;
      db.client.query = counting;
      try {
        await run();
      } finally {
        db.client.query = original;
      }
      return sent;
    }

    test('a file of many statements is one query, with its BEGIN and COMMIT', async () => {
      const text = Array.from({ length: 12 }, (_, i) => `CREATE TABLE batch_${i} (id int);`).join('\n');
      const sent = await queriesSent(async () => expect(await applySql(db.client, { path: 'm/b1.sql', text }, { transaction: true })).toBeUndefined());
      expect(sent).toEqual([`BEGIN;\n${text.replace(/;$/, '')}\n;\nCOMMIT`]); // a statement ends before its semicolon
      expect(await tableNames()).toEqual(expect.arrayContaining(['batch_0', 'batch_11']));
      expect(db.client.getTransactionStatus()).toBe('I');
    });

    test('a file ending in a line comment, or without its last semicolon, still commits', async () => {
      for (const [name, text] of [
        ['batch_comment', 'CREATE TABLE batch_comment (id int); -- the end'],
        ['batch_unterminated', 'CREATE TABLE batch_unterminated (id int)'],
        ['batch_tail', 'CREATE TABLE batch_tail (id int) -- no semicolon, a comment to the end'],
      ] as const) {
        expect(await applySql(db.client, { path: `m/${name}.sql`, text }, { transaction: true })).toBeUndefined();
        expect(db.client.getTransactionStatus()).toBe('I');
        expect(await tableNames()).toContain(name);
      }
    });

    test('a failure is still reported at its statement, with nothing of the file left', async () => {
      const failure = await applySql(
        db.client,
        { path: 'm/b2.sql', text: 'CREATE TABLE batch_kept (id int);\n\n  DROP TABLE batch_missing;\nCREATE TABLE batch_after (id int);\n' },
        { transaction: true },
      );
      expect(failure).toMatchObject({ path: 'm/b2.sql', line: 3, column: 3, code: '42P01' });
      expect(await tableNames()).not.toContain('batch_kept');
      expect(db.client.getTransactionStatus()).toBe('I');
    });

    test('a statement with a sandbox form goes alone, between batches', async () => {
      await db.client.query('CREATE TABLE batch_toggled (id int)');
      const text = 'CREATE TABLE batch_x (id int);\nALTER TABLE batch_toggled DISABLE TRIGGER ALL;\nCREATE TABLE batch_y (id int);\nCREATE TABLE batch_z (id int);';
      const sent = await queriesSent(async () => expect(await applySql(db.client, { path: 'm/b3.sql', text }, { transaction: true })).toBeUndefined());
      expect(sent.filter((query) => query.includes('batch_'))).toEqual([
        'BEGIN;\nCREATE TABLE batch_x (id int)',
        'ALTER TABLE batch_toggled DISABLE TRIGGER ALL',
        'CREATE TABLE batch_y (id int);\nCREATE TABLE batch_z (id int)\n;\nCOMMIT',
      ]);
    });

    test('a file that starts and ends with a statement that goes alone has its BEGIN and COMMIT alone too', async () => {
      await db.client.query('CREATE TABLE batch_ends (id int)');
      const text = 'ALTER TABLE batch_ends DISABLE TRIGGER ALL;\nCREATE TABLE batch_w (id int);\nALTER TABLE batch_ends ENABLE TRIGGER ALL;';
      const sent = await queriesSent(async () => expect(await applySql(db.client, { path: 'm/b4.sql', text }, { transaction: true })).toBeUndefined());
      expect(sent[0]).toBe('BEGIN');
      expect(sent.at(-1)).toBe('COMMIT');
      expect(sent).toContain('CREATE TABLE batch_w (id int)');
      expect(db.client.getTransactionStatus()).toBe('I');
      expect(await tableNames()).toContain('batch_w');
    });
  });

  describe("a migration's DEALLOCATE reaches only what its SQL prepared", () => {
    const protocolStatement = { name: 'migcheck_apply_test', text: 'SELECT 1 AS one' };
    const preparedNames = async () =>
      (await db.client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((row) => row.name);

    test('DEALLOCATE ALL keeps the statements prepared through the protocol (the catalog reader\'s), in a transaction too', async () => {
      await db.client.query(protocolStatement);
      await db.client.query('BEGIN');
      const failure = await applySql(db.client, { path: 'm/dealloc.sql', text: "PREPARE mine AS SELECT 2;\nPREPARE \"we'ird\" AS SELECT 3;\nDEALLOCATE ALL;\nCREATE TABLE after_dealloc (id int);" });
      expect(failure).toBeUndefined();
      expect(await preparedNames()).toEqual(['migcheck_apply_test']);
      // The protocol's statement still runs: the transaction is not aborted.
      expect((await db.client.query(protocolStatement)).rows).toEqual([{ one: 1 }]);
      await db.client.query('ROLLBACK');
    });

    test('DEALLOCATE of a name fails as Postgres fails it unless SQL prepared it; batched files too', async () => {
      expect(await applySql(db.client, { path: 'm/named.sql', text: 'PREPARE named AS SELECT 1;\nDEALLOCATE PREPARE named;' }, { transaction: true })).toBeUndefined();
      const failure = await applySql(db.client, { path: 'm/other.sql', text: 'CREATE TABLE dealloc_a (id int);\nDEALLOCATE migcheck_apply_test;' }, { transaction: true });
      expect(failure).toMatchObject({ line: 2, column: 1, message: 'prepared statement "migcheck_apply_test" does not exist' });
      expect(await preparedNames()).toEqual(['migcheck_apply_test']);
      expect(await tableNames()).not.toContain('dealloc_a');
    });
  });

  test('a failure inside a file-opened transaction rolls it back and leaves the session usable', async () => {
    const failure = await applySql(db.client, {
      path: 'm/007_tx_fails.sql',
      text: 'BEGIN;\nCREATE TABLE rolled_back (id int);\nSELECT 1/0;\nCOMMIT;\n',
    });
    expect(failure).toMatchObject({ line: 3, column: 1, code: '22012', message: 'division by zero' });
    expect(db.client.getTransactionStatus()).toBe('I');
    expect(await tableNames()).not.toContain('rolled_back');
  });

  test("inside the caller's transaction, leaves it to the caller (a rehearsal in a savepoint)", async () => {
    await db.client.query('BEGIN');
    try {
      await db.client.query('SAVEPOINT rehearsal');
      expect(await applySql(db.client, { path: 'm/ok.sql', text: 'CREATE TABLE in_caller_tx (id int);' })).toBeUndefined();
      expect(db.client.getTransactionStatus()).toBe('T');
      await db.client.query('ROLLBACK TO SAVEPOINT rehearsal');
      const failure = await applySql(db.client, { path: 'm/bad.sql', text: 'CREATE TABLE in_caller_tx2 (id int);\nSELECT 1/0;' });
      expect(failure).toMatchObject({ line: 2, code: '22012' });
      // Still the caller's transaction, failed (not rolled back, not committed).
      await expect(db.client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await db.client.query('ROLLBACK TO SAVEPOINT rehearsal');
      expect(db.client.getTransactionStatus()).toBe('T');
    } finally {
      await db.client.query('ROLLBACK');
    }
    expect(await tableNames()).not.toContain('in_caller_tx');
  });

  test('a syntax error is reported at its position, before anything is applied', async () => {
    const failure = await applySql(db.client, {
      path: 'm/008_syntax.sql',
      text: 'CREATE TABLE syntax_ok (id int);\nCREATE TABLE (;\n',
    });
    expect(failure).toMatchObject({ path: 'm/008_syntax.sql', line: 2, column: 14 });
    expect(failure?.code).toBeUndefined();
    expect(await tableNames()).not.toContain('syntax_ok');
  });

  test('a lost connection is an error, not a failure of the file', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.end();
    await expect(applySql(client, { path: 'm/011_lost.sql', text: 'SELECT 1;' })).rejects.toThrow(
      /connection was lost while applying m\/011_lost\.sql/,
    );
  });

  test('an empty or comment-only file applies nothing', async () => {
    expect(await applySql(db.client, { path: 'm/009_empty.sql', text: '-- nothing\n' })).toBeUndefined();
    expect(await applySql(db.client, { path: 'm/010_empty.sql', text: '' })).toBeUndefined();
  });
});
