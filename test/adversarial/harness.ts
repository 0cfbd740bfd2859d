/**
 * The adversarial round trip: a migration written to fool migcheck, checked on a real PostgreSQL.
 *
 * For each case, migcheck analyses the migration twice: from the statements alone, and with the prior schema
 * read from Postgres' catalog (what the shadow database gives). Wherever it says "safe", the migration and then
 * migcheck's rollback script run on a scratch database, each in a session of its own (as a deploy and an incident
 * would), and the database must come back exactly: the schema (catalog/ snapshot, compared object by object), the
 * data of every table and materialized view, sequence positions, and the catalog flags the snapshot does not keep
 * (inheritance and local flags, clustered indexes, rules, extensions, security labels).
 * A case may also demand that migcheck is NOT safe (the rollback cannot restore what the migration did) or IS
 * safe (a control case that must stay useful).
 */
import { expect } from 'vitest';
import pg from 'pg';
import { diffSnapshots, formatDifferences } from '../../packages/analyzer/src/catalog/diff.js';
import { readSchemaSnapshot, type SchemaSnapshot } from '../../packages/analyzer/src/catalog/index.js';
import { analyzeMigration, type AnalyzedMigration } from '../../packages/analyzer/src/plan/analyze.js';
import { buildReport } from '../../packages/analyzer/src/report/build.js';
import { migrationFromSql } from '../helpers/analyze.js';
import { createScratchDatabase, runStatements, type ScratchDatabase } from '../helpers/database.js';

export interface AdversarialCase {
  name: string;
  /** The schema and data before the migration (the history). */
  setup: string;
  migration: string;
  /**
   * `not-safe`: the rollback cannot restore what the migration did, so migcheck must never say safe.
   * `safe-with-prior`: a control case: with the prior schema, migcheck must say safe (and be right).
   * Absent: migcheck may say anything, but wherever it says safe, it must be right.
   */
  expect?: 'not-safe' | 'safe-with-prior';
  /** Changes migcheck must report (kind and object), e.g. a data change hidden in a CTE. */
  reports?: Array<{ kind: string; object: string }>;
}

export interface Fingerprint {
  schema: SchemaSnapshot;
  /** What the snapshot does not keep: data, sequence positions, catalog flags. */
  rest: Record<string, string[]>;
}

/** Every user relation's rows, as one checksum per relation (ONLY: inherited rows are counted with their own table). */
const RELATIONS = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
    AND (c.relkind <> 'm' OR c.relispopulated)
  ORDER BY 1`;

const USER_RELATION = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/** Catalog facts the schema snapshot does not record, each as sorted text rows. */
const CATALOG_FACTS: Record<string, string> = {
  columnInheritance: `
    SELECT format('%s.%s local=%s inherited=%s', c.oid::regclass, a.attname, a.attislocal, a.attinhcount)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND ${USER_RELATION}`,
  constraintInheritance: `
    SELECT format('%s.%s local=%s inherited=%s noinherit=%s', c.oid::regclass, k.conname, k.conislocal, k.coninhcount, k.connoinherit)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_RELATION}`,
  inheritance: `SELECT format('%s inherits %s #%s', inhrelid::regclass, inhparent::regclass, inhseqno) FROM pg_inherits`,
  indexFlags: `
    SELECT format('%s clustered=%s replident=%s', i.indexrelid::regclass, i.indisclustered, i.indisreplident)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_RELATION}`,
  relationOptions: `
    SELECT format('%s %s %s', c.oid::regclass, (SELECT array_agg(o ORDER BY o) FROM unnest(c.reloptions) o), c.relreplident)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_RELATION} AND c.relkind IN ('r', 'p', 'i', 'I', 'm', 'v')`,
  rules: `SELECT format('%I.%I %s', schemaname, tablename, definition) FROM pg_rules WHERE schemaname NOT IN ('pg_catalog')`,
  extensions: `SELECT format('%s %s', extname, extversion) FROM pg_extension`,
  securityLabels: `SELECT format('%s %s %s', objtype, objname, label) FROM pg_seclabels`,
  triggers: `
    SELECT format('%s %s enabled=%s', t.tgrelid::regclass, t.tgname, t.tgenabled)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${USER_RELATION}`,
};

export async function fingerprint(client: pg.Client): Promise<Fingerprint> {
  const rest: Record<string, string[]> = {};
  const relations = await client.query<{ name: string; kind: string }>(RELATIONS);
  rest.data = [];
  for (const { name, kind } of relations.rows) {
    const sql =
      kind === 'S'
        ? `SELECT format('%s %s', last_value, is_called) AS v FROM ${name}`
        : `SELECT format('%s rows, md5 %s', count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))) AS v FROM ONLY ${name} t`;
    const { rows } = await client.query<{ v: string }>(sql.replace('FROM ONLY', kind === 'm' ? 'FROM' : 'FROM ONLY'));
    rest.data.push(`${name}: ${rows[0]?.v}`);
  }
  for (const [fact, sql] of Object.entries(CATALOG_FACTS)) {
    const { rows } = await client.query<{ format: string }>(sql);
    rest[fact] = rows.map((row) => row.format).sort();
  }
  return { schema: await readSchemaSnapshot(client), rest };
}

/** Runs a script in a session of its own, as a deploy (or an incident's rollback) would. */
export async function runInOwnSession(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on('notice', () => {});
  try {
    await runStatements(client, sql);
  } finally {
    await client.end();
  }
}

export interface CaseOutcome {
  /** The verdict from the statements alone, and with the prior schema. */
  verdicts: { static: string; prior: string };
  /** The modes in which migcheck said safe but the rollback did not restore the database, with what differed. */
  falseSafe: Array<{ mode: 'static' | 'prior'; problem: string }>;
}

function analyse(sql: string, prior: SchemaSnapshot | undefined): AnalyzedMigration {
  return analyzeMigration(migrationFromSql(sql, '0001_adversarial.sql'), prior ? { prior } : {});
}

/** Applies the migration and migcheck's rollback on a fresh scratch database; returns what did not come back. */
async function roundTrip(setup: string, migration: string, rollback: string, databases: ScratchDatabase[]): Promise<string | undefined> {
  const db = await createScratchDatabase('adversarial');
  databases.push(db);
  db.client.on('notice', () => {});
  await runStatements(db.client, setup);
  const before = await fingerprint(db.client);
  try {
    await runInOwnSession(db.url, migration);
  } catch (error) {
    throw new Error(`the case's migration does not run: ${(error as Error).message}`);
  }
  try {
    await runInOwnSession(db.url, rollback);
  } catch (error) {
    return `the rollback script fails: ${(error as Error).message}\n${rollback}`;
  }
  const problems = compareFingerprints(before, await fingerprint(db.client));
  return problems.length > 0 ? `${problems.join('\n')}\nrollback:\n${rollback}` : undefined;
}

/** What differs between two fingerprints: the schema object by object, then data, positions and flags. */
export function compareFingerprints(before: Fingerprint, after: Fingerprint): string[] {
  const schema = diffSnapshots(before.schema, after.schema);
  const problems: string[] = [];
  if (schema.length > 0) problems.push(`schema: ${formatDifferences(schema)}`);
  for (const [fact, rows] of Object.entries(before.rest)) {
    const now = after.rest[fact] ?? [];
    const lost = rows.filter((row) => !now.includes(row));
    const gained = now.filter((row) => !rows.includes(row));
    if (lost.length + gained.length > 0) problems.push(`${fact}: before ${JSON.stringify(lost)}, after ${JSON.stringify(gained)}`);
  }
  return problems;
}

export async function runCase(testCase: AdversarialCase, databases: ScratchDatabase[]): Promise<CaseOutcome> {
  const priorDb = await createScratchDatabase('adversarial_prior');
  databases.push(priorDb);
  priorDb.client.on('notice', () => {});
  await runStatements(priorDb.client, testCase.setup);
  const prior = await readSchemaSnapshot(priorDb.client);
  await priorDb.drop();

  const outcome: CaseOutcome = { verdicts: { static: '', prior: '' }, falseSafe: [] };
  for (const mode of ['static', 'prior'] as const) {
    const analysed = analyse(testCase.migration, mode === 'prior' ? prior : undefined);
    const report = buildReport('plan', [analysed]);
    outcome.verdicts[mode] = report.verdict;
    for (const wanted of testCase.reports ?? []) {
      const found = analysed.changes.some(({ change }) => change.kind === wanted.kind && change.object === wanted.object);
      if (!found) outcome.falseSafe.push({ mode, problem: `no ${wanted.kind} change of ${wanted.object} reported` });
    }
    if (report.verdict !== 'safe') continue;
    const summary = analysed.changes.map(({ change, assessment }) => `${change.kind} ${change.object}: ${assessment.verdict} (${assessment.reason})`).join('\n');
    if (testCase.expect === 'not-safe') outcome.falseSafe.push({ mode, problem: `said safe where no rollback can restore:\n${summary}` });
    if (report.rollback?.incomplete) {
      outcome.falseSafe.push({ mode, problem: 'said safe with an incomplete rollback' });
      continue;
    }
    const problem = await roundTrip(testCase.setup, testCase.migration, report.rollback?.sql ?? '', databases);
    if (problem) outcome.falseSafe.push({ mode, problem: `${problem}\nmigcheck said:\n${summary}` });
  }
  return outcome;
}

/** The assertion every adversarial test makes. */
export async function expectNoFalseSafe(testCase: AdversarialCase, databases: ScratchDatabase[]): Promise<CaseOutcome> {
  const outcome = await runCase(testCase, databases);
  const message = outcome.falseSafe.map(({ mode, problem }) => `[${mode}] ${problem}`).join('\n\n');
  expect(outcome.falseSafe, message).toEqual([]);
  if (testCase.expect === 'safe-with-prior') expect(outcome.verdicts.prior, 'a control case stays safe with the prior schema').toBe('safe');
  return outcome;
}
