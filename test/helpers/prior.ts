/**
 * A real prior schema for rule tests: the setup SQL runs in a scratch database on the test server and
 * the schema is read back from Postgres' catalog, as the shadow database does for a migration's history.
 */
import type { SchemaSnapshot } from '../../packages/analyzer/src/catalog/snapshot.js';
import { readSchemaSnapshot } from '../../packages/analyzer/src/catalog/index.js';
import { createScratchDatabase, runStatements } from './database.js';

export async function priorOf(setup: string): Promise<SchemaSnapshot> {
  const db = await createScratchDatabase('prior');
  try {
    await runStatements(db.client, setup);
    return await readSchemaSnapshot(db.client);
  } finally {
    await db.drop();
  }
}
