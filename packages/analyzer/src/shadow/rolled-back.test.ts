/**
 * Work done on the replay cursor in a transaction rolled back after it (a rehearsal in place, the schema within a
 * migration) leaves the cursor exactly as a plain replay: sequences the work moved are set back, and a session that
 * kept a prepared statement or an advisory lock is replaced. On every test server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { discoverMigrations } from '../source/discover.js';
import { applySql, openShadow, type Shadow } from './index.js';
import { restoreSequences, sequencePositions, sessionHasLeftovers } from './rolled-back.js';

const directories: string[] = [];
const databases: ScratchDatabase[] = [];
const shadows: Shadow[] = [];
afterEach(async () => {
  await Promise.all(shadows.splice(0).map((shadow) => shadow.close()));
});
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** `work` in a transaction rolled back after, its sequences set back; whether the session kept leftovers (sessionHasLeftovers). */
async function rolledBack(client: pg.Client, work: string): Promise<{ leftovers: boolean }> {
  const before = await sequencePositions(client);
  await client.query('BEGIN');
  await runStatements(client, work);
  await client.query('ROLLBACK');
  await restoreSequences(client, before);
  return { leftovers: await sessionHasLeftovers(client) };
}

async function positions(client: pg.Client): Promise<string[]> {
  return (await sequencePositions(client)).map(({ name, position }) => `${name} ${position}`);
}

describe.each(targetServers())('a rolled-back transaction on $name', ({ url }) => {
  it('sets back the sequences it moved, called or not, and leaves the others', async () => {
    const db = await createScratchDatabase('rolled_back', url);
    databases.push(db);
    await runStatements(
      db.client,
      `CREATE TABLE item (id serial PRIMARY KEY, name text);
       INSERT INTO item (name) VALUES ('a'), ('b');
       CREATE SEQUENCE fresh START 40;
       CREATE SEQUENCE "we""ird" START 7;
       CREATE TABLE "__not_a_sequence" (n integer);`,
    );
    const before = await positions(db.client);
    expect(before).toEqual(['public.item_id_seq 2 true', 'public.fresh 40 false', 'public."we""ird" 7 false']);
    const { leftovers } = await rolledBack(db.client, `INSERT INTO item (name) VALUES ('c'); SELECT nextval('fresh'), nextval('fresh');`);
    expect(leftovers).toBe(false);
    expect(await positions(db.client)).toEqual(before);
    const { rows } = await db.client.query<{ id: number }>(`INSERT INTO item (name) VALUES ('c') RETURNING id`);
    expect(rows[0]!.id).toBe(3);
  });

  it('sees what a session kept that a rollback does not undo: a prepared statement, an advisory lock', async () => {
    const db = await createScratchDatabase('rolled_back', url);
    databases.push(db);
    expect(await rolledBack(db.client, 'PREPARE kept AS SELECT 1;')).toEqual({ leftovers: true });
    await db.client.query('DEALLOCATE ALL');
    expect(await rolledBack(db.client, 'SELECT pg_advisory_lock(42);')).toEqual({ leftovers: true });
    await db.client.query('SELECT pg_advisory_unlock_all()');
    expect(await rolledBack(db.client, 'SELECT pg_advisory_xact_lock(42);')).toEqual({ leftovers: false });
  });

  it("is not fooled by operators a migration put before pg_catalog's on the search_path", async () => {
    const db = await createScratchDatabase('rolled_back', url);
    databases.push(db);
    await runStatements(
      db.client,
      `CREATE SCHEMA evil;
       CREATE FUNCTION evil.never(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT false';
       CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.never);
       CREATE OPERATOR evil.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.never);
       CREATE SEQUENCE counted;
       SET search_path = evil, pg_catalog, public;`,
    );
    expect(await positions(db.client)).toEqual(['public.counted 1 false']);
    expect(await rolledBack(db.client, `SELECT nextval('public.counted'); PREPARE kept AS SELECT 1;`)).toEqual({ leftovers: true });
    expect(await positions(db.client)).toEqual(['public.counted 1 false']);
  });

  it('replays on from the cursor as if nothing had run there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migcheck-rolled-back-'));
    directories.push(dir);
    const files = {
      '1_item.sql': `CREATE TABLE item (id serial PRIMARY KEY, name text); INSERT INTO item (name) VALUES ('first');`,
      '2_more.sql': `INSERT INTO item (name) VALUES ('second'); PREPARE named AS SELECT 1; DEALLOCATE named;`,
      '3_read.sql': 'SELECT 1;',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const [, second, third] = discoverMigrations([dir]);
    const shadow = await openShadow({ url, cacheDir: join(dir, '.cache') });
    shadows.push(shadow);
    // What a rehearsal in place does: the migration itself, more rows, a statement prepared and kept.
    const rehearsed = await shadow.inTransactionBefore(second!, async (client) => {
      expect(await applySql(client, second!.up)).toBeUndefined();
      await client.query(`INSERT INTO item (name) VALUES ('seeded'), ('seeded'); PREPARE named AS SELECT 2`);
      return 'rehearsed';
    });
    expect(rehearsed).toEqual({ value: 'rehearsed' });
    const rows = await shadow.inTransactionBefore(third!, async (client) => (await client.query<{ id: number; name: string }>('SELECT id, name FROM item ORDER BY id')).rows);
    expect(rows).toEqual({ value: [{ id: 1, name: 'first' }, { id: 2, name: 'second' }] });
  });

  it('replays each migration from a session as clean as a new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migcheck-rolled-back-'));
    directories.push(dir);
    const files = {
      '1_a.sql': 'PREPARE kept AS SELECT 1; SELECT pg_advisory_lock(7);',
      '2_b.sql': 'PREPARE kept AS SELECT 2; CREATE TABLE b (id int);',
      '3_c.sql': 'SELECT 1;',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const third = discoverMigrations([dir])[2]!;
    const shadow = await openShadow({ url, cacheDir: join(dir, '.cache') });
    shadows.push(shadow);
    const prior = await shadow.priorSnapshot(third);
    expect('snapshot' in prior && Object.keys(prior.snapshot.tables)).toEqual(['public.b']);
  });
});
