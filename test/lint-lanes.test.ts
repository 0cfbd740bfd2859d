/**
 * lint reads the prior schemas of a long history in lanes, each on a replay cursor of its own (shadow/lanes.ts):
 * the report must be the one a single cursor gives, a history migration that fails included, whichever lane it
 * falls in.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { lint } from '../packages/analyzer/src/commands.js';
import { formatReport } from '../packages/analyzer/src/report/index.js';
import type { Report } from '../packages/analyzer/src/report/schema.js';
import { serverActivity } from '../packages/analyzer/src/shadow/server.js';

/** 120 golang-migrate migrations that each need their prior schema (the type a column is changed back to); one fails. */
function longHistory(failingAt: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-lint-lanes-'));
  writeFileSync(join(dir, '0001_t.up.sql'), 'CREATE TABLE t (id serial PRIMARY KEY, c integer, d text);');
  for (let n = 2; n <= 120; n++) {
    const name = String(n).padStart(4, '0');
    const sql = n === failingAt ? 'ALTER TABLE missing ADD COLUMN x integer;' : `ALTER TABLE t ALTER COLUMN c TYPE ${n % 2 === 0 ? 'bigint' : 'integer'};\nALTER TABLE t ADD COLUMN e${n} text;`;
    writeFileSync(join(dir, `${name}_m.up.sql`), sql);
  }
  return dir;
}

const comparable = (report: Report) => JSON.parse(JSON.stringify(report).replaceAll(/migcheck-lint-lanes-[A-Za-z0-9]+/g, 'DIR')) as unknown;
const shadow = (replayLanes: number) => ({ url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-lint-lanes-cache-')), replayLanes });

describe('lint in lanes', () => {
  it.each([30, 100])('gives the report of one cursor, with a history migration failing at %i', async (failingAt) => {
    const dir = longHistory(failingAt);
    const single = await lint([dir], { shadow: shadow(1) });
    const created = serverActivity.databasesCreated;
    const inLanes = await lint([dir], { shadow: shadow(2) });
    expect(comparable(inLanes)).toEqual(comparable(single));
    // Two cursors: the second lane replayed the part before it on its own.
    expect(serverActivity.databasesCreated - created).toBe(2);
    const byId = new Map(single.migrations.map((migration) => [migration.id, migration]));
    expect(byId.get('0010_m')?.history).toEqual({ replayed: 9, cached: false });
    expect(byId.get('0119_m')?.history?.failure).toMatch(/missing/);
  }, 120_000);

  it('stores each result as its lane reads its prior schema: a run from that cache hits everything and gives the same report', async () => {
    const dir = longHistory(0);
    const options = shadow(2);
    const resultCache = { cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-lint-lanes-results-')) };
    await lint([dir], { shadow: options, resultCache });
    expect(readdirSync(join(resultCache.cacheDir, 'results')).filter((name) => name.endsWith('.json'))).toHaveLength(120);
    const created = serverActivity.databasesCreated;
    const cached = await lint([dir], { shadow: options, resultCache });
    expect(serverActivity.databasesCreated).toBe(created);
    // Each lane's prior schemas were stored as deltas on that lane's last: the rollback script's verification
    // queries, which read them, are those of a run without the result cache (its priors from the snapshot cache).
    const uncached = await lint([dir], { shadow: options });
    expect(formatReport(cached, 'json')).toBe(formatReport(uncached, 'json'));
    expect(formatReport(cached, 'sql')).toBe(formatReport(uncached, 'sql'));
  }, 120_000);
});
