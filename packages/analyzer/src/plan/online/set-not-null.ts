/**
 * `ALTER COLUMN c SET NOT NULL` scans the table under ACCESS EXCLUSIVE. Since PG 12 a validated
 * `CHECK (c IS NOT NULL)` lets it skip the scan, so: add that check NOT VALID (brief), VALIDATE it (SHARE UPDATE
 * EXCLUSIVE, writes continue), SET NOT NULL (brief), drop the check. Each runs only while it is still due (the
 * column allows NULL, the check is missing or not validated), so a second run takes no lock and scans nothing.
 */
import { fittedIdentifier } from '../../sql/name.js';
import { quoteIdent } from '../../sql/quote.js';
import { singleAlter } from './alter-table.js';
import { BRIEF, LOCKS, type OnlineForm } from './step.js';
import { columnNullable, constraintExists, constraintNotValidated, guarded } from './sql.js';

export const setNotNull: OnlineForm = {
  kind: 'SET NOT NULL',
  online(statement) {
    const alter = singleAlter(statement, 'AT_SetNotNull');
    const column = alter?.command.name;
    if (!alter || !column) return undefined;
    const { prefix, table } = alter;
    const name = fittedIdentifier(`${column}_not_null_migcheck`);
    const check = quoteIdent(name);
    const nullable = columnNullable(table, column);
    const brief = { transactional: true, lock: `${LOCKS.accessExclusive} on ${table}`, effect: BRIEF, scans: false };
    return [
      {
        ...brief,
        sql: guarded(`${nullable} AND NOT ${constraintExists(table, name)}`, `${prefix} ADD CONSTRAINT ${check} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID`),
        effect: `${BRIEF}: NOT VALID checks new rows only`,
      },
      {
        transactional: true,
        sql: guarded(constraintNotValidated(table, name), `${prefix} VALIDATE CONSTRAINT ${check}`),
        lock: `${LOCKS.shareUpdateExclusive} on ${table}`,
        effect: 'scans the table, writes continue',
        scans: true,
      },
      { ...brief, sql: guarded(nullable, `${prefix} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL`), effect: `${BRIEF}: the validated check proves it, no scan` },
      { ...brief, sql: `${prefix} DROP CONSTRAINT IF EXISTS ${check};` },
    ];
  },
};
