/**
 * Backups (changes/backup.ts): a risky rollback copies the data it destroys into `migcheck_backup` first. Once
 * the copy is taken, and before the step that drops its source, the copy must hold exactly the rows it copied
 * (compared row by row, as text, both ways, so that a missing, extra or altered row shows: `ROW(s.*)`, never the
 * bare alias, which a column of the same name would shadow); after the script,
 * the copy must still be there.
 */
import { backupTableName } from '../../changes/backup.js';
import type { QualifiedName } from '../../changes/types.js';
import { sqlName } from '../../sql/quote.js';
import type { Claim, ClaimsOf } from './claim.js';
import { checkQuery, oneRowJoin, RELATION_JOIN, relationMatches } from './query.js';

function objectName(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

/** A row when the backup's rows and the rows its `copied` query selects differ. */
export function backupMatchesQuery(backup: QualifiedName, copied: string): string {
  const source = `(${copied}) AS s`;
  const copy = `${sqlName(backup)} AS b`;
  const counts = [
    `(SELECT pg_catalog.count(*) FROM ${source}) AS source_rows`,
    `(SELECT pg_catalog.count(*) FROM ${copy}) AS backup_rows`,
    `(SELECT pg_catalog.count(*) FROM (SELECT ROW(s.*)::text FROM ${source} EXCEPT ALL SELECT ROW(b.*)::text FROM ${copy}) AS missing) AS missing`,
    `(SELECT pg_catalog.count(*) FROM (SELECT ROW(b.*)::text FROM ${copy} EXCEPT ALL SELECT ROW(s.*)::text FROM ${source}) AS extra) AS extra`,
  ];
  const detail =
    "CASE WHEN cmp.missing > 0 OR cmp.extra > 0 THEN 'source ' || cmp.source_rows || ' rows, backup ' || cmp.backup_rows || ' rows: ' || cmp.missing || ' not in the backup, ' || cmp.extra || ' not in the source' END";
  return checkQuery('backup matches', objectName(backup), detail, `(SELECT ${counts.join(', ')}) AS cmp`);
}

/** A row when the backup table is not there. */
export function backupKeptQuery(backup: QualifiedName): string {
  return checkQuery('backup kept', objectName(backup), "CASE WHEN c.oid IS NULL THEN 'missing' END", oneRowJoin(RELATION_JOIN, relationMatches(backup)));
}

export const backupClaims: ClaimsOf = (change) => {
  const { change: recognised, assessment } = change.item;
  if (recognised.kind !== 'add_column' && recognised.kind !== 'add_table') return undefined;
  const { table, column } = recognised.details as { table: QualifiedName; column?: string };
  const backup = backupTableName(table, recognised.kind === 'add_column' ? column : undefined);
  const prefix = `CREATE TABLE ${sqlName(backup)} AS `;
  const step = assessment.rollback.find((candidate) => candidate.sql.startsWith(prefix) && candidate.sql.endsWith(';'));
  if (!step) return [];
  const copied = step.sql.slice(prefix.length, -1);
  const object = objectName(backup);
  return [
    { query: { phase: 'backup', check: 'backup matches', object, sql: backupMatchesQuery(backup, copied), afterStatement: step.sql } },
    { query: { phase: 'after', check: 'backup kept', object, sql: backupKeptQuery(backup) } },
  ] satisfies Claim[];
};
