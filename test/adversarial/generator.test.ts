/**
 * The generator test of issue 10: many small random migrations (./generator.ts) over a seeded schema with data,
 * each applied on a real PostgreSQL; wherever migcheck says "safe" (from the statements alone, or with the
 * prior schema), migcheck's rollback runs and schema and data must come back exactly.
 *
 * Bounded in time: ~30 s by default. `MIGCHECK_GENERATOR_BUDGET_MS` (time) or `MIGCHECK_GENERATOR_COUNT`
 * (migrations) runs it longer; `MIGCHECK_GENERATOR_SEED` picks another sequence. It prints what it tried.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { readSchemaSnapshot, type SchemaSnapshot } from '../../packages/analyzer/src/catalog/index.js';
import { analyzeMigration } from '../../packages/analyzer/src/plan/analyze.js';
import { buildReport } from '../../packages/analyzer/src/report/build.js';
import { quoteIdentAlways } from '../../packages/analyzer/src/sql/quote.js';
import { migrationFromSql } from '../helpers/analyze.js';
import { runStatements } from '../helpers/database.js';
import { compareFingerprints, fingerprint, runInOwnSession, type Fingerprint } from './harness.js';
import { GENERATOR_ROLE, GENERATOR_SCHEMA, generateMigration, prng } from './generator.js';

const BUDGET_MS = Number(process.env.MIGCHECK_GENERATOR_BUDGET_MS ?? 30_000);
const COUNT = process.env.MIGCHECK_GENERATOR_COUNT ? Number(process.env.MIGCHECK_GENERATOR_COUNT) : Number.POSITIVE_INFINITY;
const SEED = Number(process.env.MIGCHECK_GENERATOR_SEED ?? 20261130);

const serverUrl = (): string => inject('postgresUrl');
const urlOf = (database: string): string => {
  const url = new URL(serverUrl());
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
};

async function onServer<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = new pg.Client({ connectionString: database ? urlOf(database) : serverUrl() });
  await client.connect();
  client.on('notice', () => {});
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const template = `mc_generator_${process.pid}_${Date.now().toString(36)}`;
let prior: SchemaSnapshot;
let before: Fingerprint;

beforeAll(async () => {
  await onServer((admin) => admin.query(`DO $$ BEGIN CREATE ROLE ${GENERATOR_ROLE}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`));
  await onServer((admin) => admin.query(`CREATE DATABASE ${quoteIdentAlways(template)} TEMPLATE template0`));
  await onServer(async (client) => {
    await runStatements(client, GENERATOR_SCHEMA);
    prior = await readSchemaSnapshot(client);
    before = await fingerprint(client);
  }, template);
}, 60_000);

afterAll(async () => {
  await onServer((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentAlways(template)} WITH (FORCE)`));
});

interface Finding {
  migration: string;
  mode: 'static' | 'prior';
  problem: string;
}

/** Applies the migration and the rollback on a copy of the seeded database; what did not come back, or undefined. */
async function roundTrip(migration: string, rollback: string, index: number): Promise<{ invalid: string } | { problems: string[] }> {
  const copy = `${template}_${index < 0 ? `check${-index}` : index}`;
  await onServer((admin) => admin.query(`CREATE DATABASE ${quoteIdentAlways(copy)} TEMPLATE ${quoteIdentAlways(template)}`));
  try {
    try {
      await runInOwnSession(urlOf(copy), migration);
    } catch (error) {
      return { invalid: (error as Error).message };
    }
    try {
      await runInOwnSession(urlOf(copy), rollback);
    } catch (error) {
      return { problems: [`the rollback script fails: ${(error as Error).message}`] };
    }
    return { problems: compareFingerprints(before, await onServer((client) => fingerprint(client), copy)) };
  } finally {
    await onServer((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentAlways(copy)} WITH (FORCE)`));
  }
}

describe('generator: random migrations, rolled back wherever migcheck says safe', () => {
  it('the comparison is not vacuous: a rollback that misses a data change, a grant or a trigger state is caught', async () => {
    for (const migration of ["UPDATE users SET name = 'x' WHERE id = 2;", `GRANT INSERT ON users TO ${GENERATOR_ROLE};`, 'ALTER TABLE orders DISABLE TRIGGER orders_audit;']) {
      const outcome = await roundTrip(migration, '', -1 - migration.length);
      expect('problems' in outcome && outcome.problems.length > 0, `${migration}: ${JSON.stringify(outcome)}`).toBe(true);
    }
  });

  it(`finds no false "safe" (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const started = Date.now();
    const findings: Finding[] = [];
    let tried = 0;
    let safe = 0;
    let invalid = 0;
    let index = 0;
    while (Date.now() - started < BUDGET_MS && tried < COUNT) {
      const migration = generateMigration(random);
      tried++;
      const scripts = new Map<string, Array<'static' | 'prior'>>();
      for (const mode of ['static', 'prior'] as const) {
        const analysed = analyzeMigration(migrationFromSql(migration, '0001_generated.sql'), mode === 'prior' ? { prior } : {});
        const report = buildReport('plan', [analysed]);
        if (report.verdict !== 'safe' || !report.rollback) continue;
        if (report.rollback.incomplete) {
          findings.push({ migration, mode, problem: 'said safe with an incomplete rollback' });
          continue;
        }
        scripts.set(report.rollback.sql, [...(scripts.get(report.rollback.sql) ?? []), mode]);
      }
      if (scripts.size === 0) continue;
      safe++;
      for (const [rollback, modes] of scripts) {
        const outcome = await roundTrip(migration, rollback, index++);
        if ('invalid' in outcome) {
          invalid++;
          break;
        }
        if (outcome.problems.length > 0) for (const mode of modes) findings.push({ migration, mode, problem: `${outcome.problems.join('\n')}\nrollback:\n${rollback}` });
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`generator: seed ${SEED}, ${tried} migrations tried in ${seconds} s, ${safe} called safe (${invalid} of them did not run), ${findings.length} false "safe".`);
    const message = findings.map(({ migration, mode, problem }) => `--- [${mode}]\n${migration}\n${problem}`).join('\n\n');
    expect(findings, message).toEqual([]);
  }, BUDGET_MS + 120_000);
});
