/**
 * Pipelined statements (./pipeline.ts) and the catalog reader's session that sends a reading's queries together
 * (./catalog-reader.ts), on every test server: node-postgres' Submittable is driven by hand here, so a change of the
 * driver or of a server that breaks it must fail here, not in a reading.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { readSchemaSnapshot } from '../catalog/index.js';
import { IncrementalCatalogReader } from '../catalog/read/incremental.js';
import { pipelining } from './catalog-reader.js';
import { canPipeline, runPipeline } from './pipeline.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.each(targetServers())('pipelines on $name', ({ url }) => {
  it('prepares what the session has not, and answers each statement with its rows, typed as one at a time would, in order', async () => {
    const db = await createScratchDatabase('pipeline', url);
    databases.push(db);
    const numbers = { name: 'numbers', text: 'SELECT n, n % 2 = 0 AS even FROM generate_series(1, $1::int) AS n' };
    const labels = { name: 'labels', text: `SELECT $1::text[] AS labels, NULL::text AS nothing` };
    expect(canPipeline(db.client)).toBe(true);
    await db.client.query({ ...numbers, values: [1] }); // prepared before; labels is not
    const together = await runPipeline(db.client, [
      { ...numbers, values: [3] },
      { ...labels, values: [['a', 'b"c']] },
      { ...numbers, values: [0] },
      { ...labels, values: [[]] },
    ]);
    expect(together.map((result) => result.rows)).toEqual([
      [{ n: 1, even: false }, { n: 2, even: true }, { n: 3, even: false }],
      [{ labels: ['a', 'b"c'], nothing: null }],
      [],
      [{ labels: [], nothing: null }],
    ]);
    // node-postgres knows both as prepared: a query of its own does not prepare them again (which would fail).
    expect((await db.client.query({ ...labels, values: [['d']] })).rows).toEqual([{ labels: ['d'], nothing: null }]);
  });

  it('fails with the first error, keeps nothing of the batch, and leaves the session usable', async () => {
    const db = await createScratchDatabase('pipeline', url);
    databases.push(db);
    const set = { name: 'set', text: `SELECT pg_catalog.set_config('application_name', $1::text, false)` };
    const divide = { name: 'divide', text: 'SELECT 1 / $1::int AS quotient' };
    const never = { name: 'never', text: 'SELECT $1::int AS never' };
    await db.client.query({ ...set, values: ['before'] });
    const failed = runPipeline(db.client, [
      { ...set, values: ['during'] },
      { ...divide, values: [0] },
      { ...never, values: [1] },
    ]);
    await expect(failed).rejects.toThrow('division by zero');
    // One Sync: the batch was one implicit transaction, rolled back whole.
    const { rows } = await db.client.query<{ name: string }>(`SELECT pg_catalog.current_setting('application_name') AS name`);
    expect(rows).toEqual([{ name: 'before' }]);
    // What the server parsed before the error it keeps, and node-postgres knows it; what it skipped, it prepares later.
    expect((await db.client.query({ ...divide, values: [1] })).rows).toEqual([{ quotient: 1 }]);
    expect((await db.client.query({ ...never, values: [2] })).rows).toEqual([{ never: 2 }]);
  });

  it("reads a change in a few round trips, the same snapshot as a whole read", async () => {
    const db = await createScratchDatabase('pipeline', url);
    databases.push(db);
    await runStatements(
      db.client,
      `CREATE TYPE mood AS ENUM ('calm');
       CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL, feeling mood);
       CREATE INDEX person_name ON person (name);
       CREATE VIEW named AS SELECT name FROM person;`,
    );
    const session = pipelining(db.client);
    const reader = new IncrementalCatalogReader(session);
    await reader.read();
    await runStatements(db.client, `ALTER TABLE person ADD COLUMN born date; ALTER TYPE mood ADD VALUE 'tense'; COMMENT ON VIEW named IS 'names'`);
    const before = session.roundTrips;
    const snapshot = await reader.read();
    expect(reader.statistics.scopedReads).toBe(1);
    expect(JSON.stringify(snapshot)).toBe(JSON.stringify(await readSchemaSnapshot(db.client)));
    // Settings, fingerprint, identities, every family at once, settings back: one query each would be over a dozen.
    expect(session.roundTrips - before).toBeLessThanOrEqual(5);
  });
});
