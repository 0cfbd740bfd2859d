/**
 * The data checksums of a rehearsal run in the session the migration ran in: a search_path the migration set that
 * puts its own functions before pg_catalog's must not make changed rows compare equal. On every test server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { readSchemaSnapshot } from '../catalog/index.js';
import { checksumData, differingData } from './data.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.each(targetServers())('checksumData on $name', ({ url }) => {
  it("sees a changed row whatever functions a migration's search_path puts first", async () => {
    const db = await createScratchDatabase('checksum', url);
    databases.push(db);
    await runStatements(
      db.client,
      `CREATE TABLE account (id integer PRIMARY KEY, owner text);
       INSERT INTO account VALUES (1, 'ada');
       CREATE SCHEMA evil;
       CREATE FUNCTION evil.md5(text) RETURNS text LANGUAGE sql AS $$SELECT 'same'$$;
       CREATE FUNCTION evil.to_jsonb(anyelement) RETURNS jsonb LANGUAGE sql AS $$SELECT '{}'::jsonb$$;
       SET search_path = evil, pg_catalog, public;`,
    );
    const before = await readSchemaSnapshot(db.client);
    const sums = await checksumData(db.client, before);
    await db.client.query(`UPDATE account SET owner = 'mallory'`);
    expect(differingData(sums, await checksumData(db.client, before))).toEqual(['public.account']);
  });
});
