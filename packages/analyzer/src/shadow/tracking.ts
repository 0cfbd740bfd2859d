/**
 * The migration tool's own bookkeeping table. The tool creates it before the first migration runs, so it exists
 * in every database the tool manages, and migrations may refer to it (Lemmy puts a trigger on diesel's). The
 * replay creates it too, empty: rows are not needed for the schema, and inserting them could fire such triggers.
 *
 * Only where the tool's definition is known exactly; others are left out rather than guessed.
 */
import type { LayoutName } from '../source/layouts.js';

const TRACKING_TABLES: Partial<Record<LayoutName, string>> = {
  // diesel_migrations, src/migration/setup_migration_table.sql
  diesel: `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);`,
};

/** The SQL that prepares a database as the tool of `layout` would before its first migration ('' for none). */
export function toolSetupSql(layout: LayoutName | undefined): string {
  return (layout && TRACKING_TABLES[layout]) ?? '';
}
