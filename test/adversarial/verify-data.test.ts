/**
 * `migcheck verify` compares data, not only the schema: rows are seeded into the tables that existed before the
 * migration, and the data after migcheck's rollback must equal the data before the migration. The static rules
 * are taken out of the picture (every change is assessed "safe" by a stub), so these tests show that the
 * rehearsal alone catches the classes of issue 10 that lose or rewrite rows.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SchemaSnapshot } from '../../packages/analyzer/src/catalog/snapshot.js';
import { analyzeMigration, type AnalyzedMigration } from '../../packages/analyzer/src/plan/analyze.js';
import { withRehearsalEvidence } from '../../packages/analyzer/src/rehearsal/evidence.js';
import { rehearseMigration, type MigrationRehearsal } from '../../packages/analyzer/src/rehearsal/rehearse.js';
import { openShadow, type Shadow } from '../../packages/analyzer/src/shadow/index.js';
import { discoverMigrations } from '../../packages/analyzer/src/source/discover.js';
import { loadParser } from '../../packages/analyzer/src/source/parse.js';
import { APP, UPDATED_AT_TRIGGER } from './setup.js';

let shadow: Shadow;
beforeAll(async () => {
  await loadParser();
  shadow = await openShadow({ url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-verify-data-')) });
});
afterAll(async () => {
  await shadow?.close();
});

/** What a static layer that missed everything would say: every change safe, with whatever rollback its rule wrote. */
function everythingSafe(analysis: AnalyzedMigration): AnalyzedMigration {
  return {
    ...analysis,
    verdict: 'safe',
    changes: analysis.changes.map((item) => ({ ...item, assessment: { ...item.assessment, verdict: 'safe' } })),
  };
}

async function rehearse(setup: string, migration: string, stub: (analysis: AnalyzedMigration) => AnalyzedMigration = everythingSafe): Promise<MigrationRehearsal> {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-verify-data-project-'));
  writeFileSync(join(dir, '000001_setup.up.sql'), setup);
  writeFileSync(join(dir, '000002_change.up.sql'), migration);
  const migrations = discoverMigrations([dir]);
  const target = migrations.at(-1)!;
  const result = await rehearseMigration(shadow, target, (prior: SchemaSnapshot) => stub(analyzeMigration(target, { prior })));
  if (!('analysis' in result)) throw new Error(`history failed: ${result.historyFailure.message}`);
  return result;
}

describe('verify compares data (issue 10)', () => {
  it('a DELETE hidden in a CTE (class 1), called safe by the static layer: caught by the data comparison', async () => {
    const rehearsal = await rehearse(APP, 'WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d;');
    expect(rehearsal.rollback.restored, 'the schema alone comes back').toBe(true);
    expect(rehearsal.data.differing).toContain('public.orders');
    const verified = withRehearsalEvidence(rehearsal);
    expect(verified.verdict).toBe('risky');
    expect(verified.changes.map(({ assessment }) => assessment.reason).join('\n')).toMatch(/data after the rollback differs .*public\.orders/);
  });

  it('a statement no rule recognised at all: the migration is still not safe', async () => {
    const rehearsal = await rehearse(APP, "UPDATE users SET name = 'x' FROM (SELECT 1) AS s;", (analysis) => ({ ...analysis, verdict: 'safe', changes: [] }));
    const verified = withRehearsalEvidence(rehearsal);
    expect(verified.verdict).toBe('risky');
    expect(verified.changes[0]).toMatchObject({ change: { kind: 'unknown' }, assessment: { evidence: 'rehearsed' } });
  });

  it('a backfill on a table with the updated_at trigger (class 6): the trigger rewrote a column the DROP does not restore', async () => {
    const rehearsal = await rehearse(`${APP}${UPDATED_AT_TRIGGER}`, 'ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = email;');
    expect(rehearsal.rollback.restored).toBe(true);
    expect(rehearsal.data.differing).toEqual(['public.users']);
    expect(withRehearsalEvidence(rehearsal).verdict).toBe('risky');
  });

  it('a backfill that moves a sequence: the sequence differs', async () => {
    const rehearsal = await rehearse(APP, "ALTER TABLE users ADD COLUMN ticket bigint;\nUPDATE users SET ticket = nextval('ticket_seq');");
    expect(rehearsal.data.differing).toContain('public.ticket_seq');
  });

  it('rows go into every table that existed before, and an exact rollback shows no difference', async () => {
    const rehearsal = await rehearse(`${APP}\nCREATE TABLE flags (on_off boolean);`, 'ALTER TABLE flags ADD COLUMN note text;');
    expect(rehearsal.data.differing).toEqual([]);
    expect(rehearsal.data.rows.seeded.join('\n')).toMatch(/public\.users: \d rows/);
  });

  it('control: a backfill of an added column on a table without triggers stays safe', async () => {
    const rehearsal = await rehearse(APP, 'ALTER TABLE users ADD COLUMN nickname text;\nUPDATE users SET nickname = lower(email);');
    expect(rehearsal.data.differing).toEqual([]);
    expect(withRehearsalEvidence(rehearsal).verdict).toBe('safe');
  });
});
