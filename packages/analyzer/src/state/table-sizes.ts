/**
 * How big the tables a rollback locks are on the target database (plan --database-url): said next to a step that
 * scans or rewrites one (../plan/table-size.ts), so that a reader sees what "blocks writes" means there.
 *
 * Read from pg_class alone (relpages, reltuples: the last VACUUM/ANALYZE's figures), which takes no lock on the
 * tables: a stuck migration holding ACCESS EXCLUSIVE does not make this wait.
 */
import { MigcheckError } from '../errors.js';
import type { Target } from '../probes/target.js';
import type { TableSize } from '../plan/table-size.js';
import type { QualifiedName } from '../sql/name.js';

const SIZES_TIMEOUT_MS = 10_000;

const SIZES_SQL = `
SELECT n.nspname AS schema, c.relname AS name,
       c.relpages::int8 * pg_catalog.current_setting('block_size')::int8
         + COALESCE((SELECT t.relpages::int8 FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), 0) * pg_catalog.current_setting('block_size')::int8 AS bytes,
       c.reltuples::float8 AS rows
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN unnest($1::text[], $2::text[]) AS wanted (schema, name) ON wanted.schema = n.nspname AND wanted.name = c.relname
WHERE c.relkind IN ('r', 'p', 'm')`;

/** Sizes by `schema.table`; tables the target lacks are absent, and so is everything when the read fails. */
export async function readTableSizes(target: Target, tables: QualifiedName[]): Promise<Map<string, TableSize>> {
  const sizes = new Map<string, TableSize>();
  if (tables.length === 0) return sizes;
  try {
    const rows = await target.readOnly(
      async (client) => (await client.query<{ schema: string; name: string; bytes: string; rows: number }>(SIZES_SQL, [tables.map((t) => t.schema), tables.map((t) => t.name)])).rows,
      SIZES_TIMEOUT_MS,
    );
    for (const row of rows) sizes.set(`${row.schema}.${row.name}`, { bytes: Number(row.bytes), rows: row.rows });
  } catch (error) {
    if (error instanceof MigcheckError) throw error; // the connection is lost: nothing more to ask
    // A refusal or a timeout: the lock lines go without sizes.
  }
  return sizes;
}
