/**
 * The schema once a migration ran, for what the statements leave to Postgres (issue 9): the names it chose for
 * unnamed indexes and constraints. The migration is applied, as its tool applies it, in a copy of the shadow's
 * state before it (the sandbox role runs it, as any replay), the catalog read, and the copy dropped.
 */
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import type { Migration } from '../source/discover.js';
import { applySql } from './apply.js';
import type { Shadow } from './types.js';

/** The schema after `migration`, or undefined when its history or the migration itself does not apply. */
export async function schemaAfter(shadow: Shadow, migration: Migration): Promise<SchemaSnapshot | undefined> {
  // Code that could not be read, or a capture that may be missing statements: no schema to trust (as in the replay).
  if (migration.code || (migration.capture?.upGaps.length ?? 0) > 0) return undefined;
  const database = await shadow.databaseBefore(migration);
  if ('failure' in database) return undefined;
  try {
    const failure = await applySql(database.client, { path: migration.up.path, text: migration.up.text }, { transaction: migration.transaction !== false });
    return failure ? undefined : await shadow.readSnapshot(database.client);
  } finally {
    await database.release();
  }
}
