/**
 * A query's positional parameters (`$1`, `$2`…, as TypeORM's `query(sql, params)` and Sequelize's `bind` send
 * them) written into its text as literals: each value as the pg driver would send it (its prepareValue), quoted
 * by migcheck's own quoting (sql/quote.ts). A quoted literal is untyped, like a parameter, so the statement
 * means the same. `$n` inside strings, quoted identifiers, comments and dollar quotes is left alone.
 */
import { createRequire } from 'node:module';
import { quoteLiteral } from '../../sql/quote.js';

type PrepareValue = (value: unknown) => unknown;

// Loaded before any migration runs: pg reads the environment (USER) when it loads, which is not the migration's doing.
const prepareValue = (createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: PrepareValue }).prepareValue;

/** One parameter as a literal: NULL, or the driver's text of the value quoted. */
export function parameterLiteral(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return 'NULL';
  if (Buffer.isBuffer(prepared)) return `${quoteLiteral(`\\x${prepared.toString('hex')}`)}::bytea`;
  return quoteLiteral(String(prepared));
}

/** The SQL with each `$n` outside quotes and comments replaced by the literal of `parameters[n - 1]`. */
export function inlineParameters(sql: string, parameters: readonly unknown[] | undefined): string {
  if (!parameters || parameters.length === 0) return sql;
  let result = '';
  let at = 0;
  while (at < sql.length) {
    const skipped = skipQuoted(sql, at);
    if (skipped > at) {
      result += sql.slice(at, skipped);
      at = skipped;
      continue;
    }
    const placeholder = /^\$(\d+)(?![\w$])/.exec(sql.slice(at, at + 12));
    const index = placeholder ? Number(placeholder[1]) - 1 : -1;
    if (placeholder && index >= 0 && index < parameters.length && !/[\w$]/.test(sql[at - 1] ?? '')) {
      result += parameterLiteral(parameters[index]);
      at += placeholder[0].length;
      continue;
    }
    result += sql[at];
    at++;
  }
  return result;
}

/** The end of the quoted text or comment that starts at `at`, or `at` when none does. */
function skipQuoted(sql: string, at: number): number {
  const rest = sql.slice(at, at + 2);
  if (rest.startsWith("'") || rest.startsWith('"')) {
    const quote = rest[0]!;
    let end = at + 1;
    for (;;) {
      const close = sql.indexOf(quote, end);
      if (close < 0) return sql.length;
      if (sql[close + 1] === quote) end = close + 2;
      else return close + 1;
    }
  }
  if (rest === '--') {
    const end = sql.indexOf('\n', at);
    return end < 0 ? sql.length : end;
  }
  if (rest === '/*') {
    const end = sql.indexOf('*/', at + 2);
    return end < 0 ? sql.length : end + 2;
  }
  const dollar = /^\$([A-Za-z_][\w]*)?\$/.exec(sql.slice(at, at + 64));
  if (dollar && !/[\w$]/.test(sql[at - 1] ?? '')) {
    const end = sql.indexOf(dollar[0], at + dollar[0].length);
    return end < 0 ? sql.length : end + dollar[0].length;
  }
  return at;
}
