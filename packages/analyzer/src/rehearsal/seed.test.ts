/**
 * The rehearsal's seeded rows reach tables whatever their names: the columns are looked up by the exact names, not
 * through to_regclass, which cannot read the U&"…" form a name with control characters is written in. On every
 * test server (Postgres 16+ answered NULL, and nothing was seeded; 15 failed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, runStatements, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { seedRows } from './seed.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe.each(targetServers())('seedRows on $name', ({ url }) => {
  it('seeds a table whose name holds a newline and a quote', async () => {
    const db = await createScratchDatabase('seed', url);
    databases.push(db);
    await runStatements(db.client, 'CREATE TABLE "we""ird\nname" (id serial PRIMARY KEY, n integer);');
    const result = await seedRows(db.client, [{ table: { schema: 'public', name: 'we"ird\nname' }, touched: ['n'] }]);
    expect(result.seeded).toHaveLength(1);
    const { rows } = await db.client.query<{ count: string }>('SELECT count(*) FROM "we""ird\nname"');
    expect(Number(rows[0]!.count)).toBeGreaterThan(0);
  });
});
