/**
 * The data half of a rehearsal: rows are seeded into every table that existed before the migration, each table
 * and sequence is checksummed, the migration and migcheck's rollback run, and the checksums are taken again.
 * A rollback that restores the schema can still lose or rewrite rows (an UPDATE hidden in a CTE, a trigger that
 * fired on a backfill, a cascade, a moved sequence): the tables whose checksums differ say so, whatever the
 * static rules recognised.
 */
import type pg from 'pg';
import type { SchemaSnapshot } from '../catalog/snapshot.js';
import { sqlName } from '../sql/quote.js';
import { seedRows, type SeedResult, type SeedTarget } from './seed.js';

/** `schema.table` (or sequence) → checksum. */
export type DataChecksums = Map<string, string>;

export interface DataComparison {
  /** Rows seeded into the existing tables before the migration. */
  rows: SeedResult;
  /** Tables and sequences whose contents after the rollback differ from before the migration. */
  differing: string[];
  /** Why no comparison was made (the migration failed with rows present). */
  skipped?: string;
}

/** Seeds the tables of the schema before the migration; tables whose foreign keys found no row yet get a second turn. */
export async function seedExistingTables(client: pg.Client, before: SchemaSnapshot): Promise<SeedResult> {
  const targets: SeedTarget[] = Object.values(before.tables)
    .filter((table) => table.kind === 'table')
    .map((table) => ({ table: { schema: table.schema, name: table.name }, touched: [] }));
  const first = await seedRows(client, targets);
  const empty = targets.filter(({ table }) => !first.seeded.some((line) => line.startsWith(`${sqlName(table)}:`)));
  if (empty.length === 0 || empty.length === targets.length) return first;
  const second = await seedRows(client, empty);
  return { seeded: [...first.seeded, ...second.seeded], rejected: second.rejected };
}

/**
 * One checksum per table and sequence of `before`: the table's rows as JSON (keys sorted, so a column that is
 * dropped and added back at the end compares equal), ordered; a sequence's position. Every function is qualified:
 * the migration ran in this session, and a search_path it set must not put its own `md5` in the comparison.
 */
export async function checksumData(client: pg.Client, before: SchemaSnapshot): Promise<DataChecksums> {
  const queries = new Map<string, string>();
  for (const table of Object.values(before.tables)) {
    if (table.kind !== 'table') continue;
    const name = sqlName({ schema: table.schema, name: table.name });
    queries.set(
      `${table.schema}.${table.name}`,
      `SELECT pg_catalog.format('%s rows, md5 %s', pg_catalog.count(*), pg_catalog.md5(coalesce(pg_catalog.string_agg(pg_catalog.to_jsonb(t)::pg_catalog.text, ',' ORDER BY pg_catalog.to_jsonb(t)::pg_catalog.text), ''))) AS sum FROM ONLY ${name} AS t`,
    );
  }
  for (const sequence of Object.values(before.sequences)) {
    const name = sqlName({ schema: sequence.schema, name: sequence.name });
    queries.set(`${sequence.schema}.${sequence.name}`, `SELECT pg_catalog.format('%s %s', last_value, is_called) AS sum FROM ${name}`);
  }
  // All in one round trip; when one is unreadable (a table the rollback did not bring back), each on its own.
  const together = await allAtOnce(client, [...queries.values()]);
  const sums: DataChecksums = new Map();
  for (const [index, [object, sql]] of [...queries].entries()) sums.set(object, together ? together[index]! : await one(client, sql));
  return sums;
}

/** The answers of single-value queries, in order, from one query; undefined when any of them fails. */
async function allAtOnce(client: pg.Client, queries: string[]): Promise<string[] | undefined> {
  if (queries.length === 0) return [];
  const sql = `SELECT ARRAY[${queries.map((query) => `(${query})`).join(', ')}]::pg_catalog.text[] AS sums`;
  const inTransaction = client.getTransactionStatus() !== 'I';
  if (inTransaction) await client.query('SAVEPOINT migcheck_checksum');
  try {
    const { rows } = await client.query<{ sums: string[] }>(sql);
    if (inTransaction) await client.query('RELEASE SAVEPOINT migcheck_checksum');
    return rows[0]?.sums;
  } catch {
    if (inTransaction) await client.query('ROLLBACK TO SAVEPOINT migcheck_checksum');
    return undefined;
  }
}

/** A table that is gone or unreadable after the rollback differs; the error is its checksum. */
async function one(client: pg.Client, sql: string): Promise<string> {
  const inTransaction = client.getTransactionStatus() !== 'I';
  if (inTransaction) await client.query('SAVEPOINT migcheck_checksum');
  try {
    const { rows } = await client.query<{ sum: string }>(sql);
    if (inTransaction) await client.query('RELEASE SAVEPOINT migcheck_checksum');
    return rows[0]?.sum ?? '';
  } catch (error) {
    if (inTransaction) await client.query('ROLLBACK TO SAVEPOINT migcheck_checksum');
    return `unreadable: ${(error as Error).message}`;
  }
}

export function differingData(before: DataChecksums, after: DataChecksums): string[] {
  return [...before].filter(([name, sum]) => after.get(name) !== sum).map(([name]) => name);
}
