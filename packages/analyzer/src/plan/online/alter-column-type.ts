/**
 * `ALTER COLUMN c TYPE t`: Postgres rewrites the table under ACCESS EXCLUSIVE (unless the types are binary
 * coercible, which the statement alone does not show) and re-checks its indexes. There is no online form: the
 * step says so and the script is not zero-downtime; the alternative is keeping the new, wider type. It runs only
 * while the column's type (as format_type prints it) differs from the one written, so a second run does not
 * rewrite the table again; a type written otherwise than format_type prints it runs again, which converges too.
 */
import type { ColumnDef } from 'libpg-query';
import { quoteLiteral } from '../../sql/quote.js';
import { singleAlter } from './alter-table.js';
import { LOCKS, type OnlineForm } from './step.js';
import { bare, guarded, regclass, sliceBytes, tokens } from './sql.js';

/** The type as written: from its first token to USING, COLLATE or the end, outside parentheses. */
function typeText(text: string, start: number): string | undefined {
  let depth = 0;
  for (const token of tokens(text)) {
    if (token.start < start) continue;
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth === 0 && /^(USING|COLLATE)$/i.test(token.text)) return sliceBytes(text, start, token.start).trim();
  }
  return sliceBytes(text, start).trim();
}

export const alterColumnType: OnlineForm = {
  kind: 'ALTER COLUMN TYPE',
  online(statement) {
    const alter = singleAlter(statement, 'AT_AlterColumnType');
    const column = alter?.command.name;
    const location = (alter?.command.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef?.typeName?.location;
    if (!alter || !column || location === undefined) return undefined;
    const text = bare(statement.text);
    const written = typeText(text, location);
    if (!written) return undefined;
    const differs = `EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${regclass(alter.table)} AND attname = ${quoteLiteral(column)} AND attnum > 0 AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) <> ${quoteLiteral(written)})`;
    return [
      {
        sql: guarded(differs, text),
        transactional: true,
        lock: `${LOCKS.accessExclusive} on ${alter.table}`,
        effect: 'rewrites the table and its indexes unless the types are binary coercible, reads and writes wait; no online form',
        scans: true,
        blocksWrites: {
          alternative: `keep the new type of ${alter.table}.${column} (skip this step) if the old application can read and write it, as the seed keeps an added column`,
        },
      },
    ];
  },
};
