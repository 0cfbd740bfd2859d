import pg from 'pg';
import { describe, expect, inject, test } from 'vitest';
import { createScratchDatabase, databaseUrl, runStatements } from '../../../../test/helpers/database.js';
import { readSchemaSnapshot } from '../catalog/index.js';
import { quoteIdentAlways } from '../sql/quote.js';
import { IncrementalCatalogReader } from '../catalog/read/incremental.js';
import { CatalogReaders, pipelining } from './catalog-reader.js';

/** A session on `database` of the run's server. */
async function sessionOn(database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl(inject('postgresUrl'), database) });
  await client.connect();
  return client;
}

describe('CatalogReaders', () => {
  test('a new session, and a copy made from the database as template, go on from the last reading', async () => {
    const original = await createScratchDatabase('readers');
    const copy = `${original.name}_copy`;
    const admin = new pg.Client({ connectionString: inject('postgresUrl') });
    await admin.connect();
    const sessions: pg.Client[] = [];
    try {
      await runStatements(original.client, 'CREATE TABLE parent (id int PRIMARY KEY); CREATE VIEW parents AS SELECT id FROM parent;');
      const readers = new CatalogReaders();
      const first = readers.readerOf(original.client);
      const before = JSON.stringify(await first.read());
      expect(first.statistics.wholeReads).toBe(1);
      await original.client.end(); // a template has no session

      await admin.query(`CREATE DATABASE ${quoteIdentAlways(copy)} TEMPLATE ${quoteIdentAlways(original.name)}`);
      readers.copied(original.name, copy);
      const copySession = await sessionOn(copy);
      sessions.push(copySession);
      const onCopy = readers.readerOf(copySession);
      expect(JSON.stringify(await onCopy.read())).toBe(before);
      await copySession.query('ALTER TABLE parent RENAME COLUMN id TO parent_id');
      expect(JSON.stringify(await onCopy.read())).toBe(JSON.stringify(await readSchemaSnapshot(copySession)));
      expect(onCopy.statistics).toMatchObject({ wholeReads: 0, scopedReads: 1 });

      const again = await sessionOn(original.name);
      sessions.push(again);
      const onOriginal = readers.readerOf(again);
      expect(JSON.stringify(await onOriginal.read())).toBe(before);
      expect(onOriginal.statistics.wholeReads).toBe(0);
      expect(readers.readerOf(again)).toBe(onOriginal);
    } finally {
      await Promise.all(sessions.map((session) => session.end().catch(() => {})));
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentAlways(copy)} WITH (FORCE)`).catch(() => {});
      await admin.end();
      await original.drop();
    }
  });

  test('a statement the server no longer has (DEALLOCATE ALL in a migration) does not stop the reading', async () => {
    const db = await createScratchDatabase('readers_deallocate');
    try {
      await runStatements(db.client, 'CREATE TABLE t (id int);');
      const reader = new CatalogReaders().readerOf(db.client);
      await reader.read();
      await db.client.query('DEALLOCATE ALL');
      await db.client.query('ALTER TABLE t ADD COLUMN note text');
      expect(JSON.stringify(await reader.read())).toBe(JSON.stringify(await readSchemaSnapshot(db.client)));
    } finally {
      await db.drop();
    }
  });
  test('a reading on a pipelining session sends its settings with its first queries, and sets them back after', async () => {
    const db = await createScratchDatabase('readers_round_trips');
    try {
      await runStatements(db.client, "CREATE TABLE t (id int); SET search_path = public; SET TimeZone = 'Asia/Tokyo';");
      const session = pipelining(db.client);
      const reader = new IncrementalCatalogReader(session);
      await reader.read(); // the first: the fingerprint's form, the whole schema
      const [unchanged, afterUnchanged] = [session.roundTrips, await reader.read().then(() => session.roundTrips)];
      // The settings with the fingerprint, then the settings back: two round trips where the settings took a third.
      expect(afterUnchanged - unchanged).toBe(2);
      await db.client.query('ALTER TABLE t ADD COLUMN note text');
      const changed = await reader.read();
      expect(JSON.stringify(changed)).toBe(JSON.stringify(await readSchemaSnapshot(db.client)));
      expect(changed.tables['public.t']?.columns).toHaveProperty('note');
      const { rows } = await db.client.query<{ search_path: string; timezone: string }>(
        `SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS timezone`,
      );
      expect(rows[0]).toEqual({ search_path: 'public', timezone: 'Asia/Tokyo' });
    } finally {
      await db.drop();
    }
  });
});
