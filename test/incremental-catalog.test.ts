/**
 * The incremental catalog reader (packages/analyzer/src/catalog/read/incremental.ts) against whole reads along the
 * real histories of ../shared/corpora: after every migration, and before every statement of every tenth one (inside
 * a transaction rolled back after, as the shadow reads the schema within a migration), both readings must be the
 * same text. The shadow relies on it for every prior schema it reads.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSchemaSnapshot } from '../packages/analyzer/src/catalog/index.js';
import { IncrementalCatalogReader } from '../packages/analyzer/src/catalog/read/incremental.js';
import { applySql, runsInCallersTransaction } from '../packages/analyzer/src/shadow/apply.js';
import { toolSetupSql } from '../packages/analyzer/src/shadow/tracking.js';
import { discoverMigrations } from '../packages/analyzer/src/source/discover.js';
import { loadParser } from '../packages/analyzer/src/source/parse.js';
import { createScratchDatabase } from './helpers/database.js';

const corpora = resolve(import.meta.dirname, '../../shared/corpora');
const WITHIN_EVERY = 10;

describe.skipIf(!existsSync(corpora))('incremental catalog reads equal whole reads along the shared corpora', () => {
  it.each(['lemmy', 'vaultwarden', 'openmeter', 'documenso/migrations', 'hatchet'])('%s', async (path) => {
    await loadParser();
    const dir = join(corpora, path);
    const migrations = discoverMigrations([dir], { cwd: dir });
    const db = await createScratchDatabase('incremental_corpus');
    try {
      const setupSql = toolSetupSql(migrations[0]!.layout); // the tool's tracking table, as the replay makes it
      if (setupSql) await db.client.query(setupSql);
      const reader = new IncrementalCatalogReader(db.client);
      const mismatches: string[] = [];
      let checks = 0;
      const compare = async (where: string) => {
        checks++;
        const incremental = JSON.stringify(await reader.read());
        if (incremental !== JSON.stringify(await readSchemaSnapshot(db.client))) mismatches.push(where);
      };
      await compare('empty');
      for (const [index, migration] of migrations.entries()) {
        if (migration.code) break; // hatchet's first Go step: the history goes no further here
        if (index % WITHIN_EVERY === 0 && (await runsInCallersTransaction(migration.up))) {
          await db.client.query('BEGIN');
          await applySql(db.client, migration.up, {
            transaction: false,
            beforeStatement: (statement) => compare(`${migration.id}, before statement ${statement}`),
          });
          await db.client.query('ROLLBACK');
          await compare(`${migration.id}, rolled back`);
        }
        const failure = await applySql(db.client, migration.up, { transaction: migration.transaction !== false });
        expect(failure, migration.id).toBeUndefined();
        await compare(migration.id);
      }
      expect(mismatches).toEqual([]);
      // Not vacuous: nearly every reading after the first was a scoped one.
      expect(reader.statistics.scopedReads).toBeGreaterThan(checks * 0.8);
    } finally {
      await db.drop();
    }
  }, 600_000);
});
