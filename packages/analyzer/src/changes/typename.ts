/**
 * TypeName nodes → the type's name as Postgres' format_type() spells it, so that a type read from a
 * migration compares equal to the same type read from a catalog.
 */
import type { TypeName } from 'libpg-query';
import { integerConst, strings } from './ast.js';
import { quoteIdent } from '../sql/quote.js';

export interface FormattedType {
  /** As format_type() prints it, e.g. `character varying(255)`, `numeric(10,2)`, `integer[]`. */
  sql: string;
  /** The base type's canonical name without modifiers, e.g. `character varying`. */
  base: string;
  typmods: number[];
  isArray: boolean;
  /** `serial`, `bigserial` or `smallserial`: an integer column with an owned sequence. */
  serial?: string;
  /** True when the modifiers could not be rendered exactly (interval fields). */
  approximate: boolean;
}

const CANONICAL: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  varbit: 'bit varying',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  timetz: 'time with time zone',
  numeric: 'numeric',
  decimal: 'numeric',
  interval: 'interval',
  bit: 'bit',
  int: 'integer',
  integer: 'integer',
  smallint: 'smallint',
  bigint: 'bigint',
  real: 'real',
  boolean: 'boolean',
};

const SERIALS: Record<string, string> = {
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

export function formatTypeName(typeName: TypeName): FormattedType {
  const names = strings(typeName.names);
  const isBuiltin = names.length === 1 || names[0] === 'pg_catalog';
  const last = names.at(-1) ?? '';
  const serial = names.length === 1 ? SERIALS[last] : undefined;
  // A name that is not one of the canonical built-ins is quoted like any identifier (format_type() does the
  // same), also when a modifier follows: `"my type"(1)`, never the raw text of an untrusted migration.
  const base = serial ?? (isBuiltin ? (CANONICAL[last] ?? quoteIdent(last)) : names.map(quoteIdent).join('.'));
  const typmods = (typeName.typmods ?? []).map((mod) => integerConst(mod)).filter((mod) => mod !== undefined);
  const approximate = base === 'interval' && typmods.length > 0;
  const isArray = (typeName.arrayBounds?.length ?? 0) > 0;

  let sql: string;
  if (approximate) {
    sql = 'interval';
  } else if (typmods.length > 0 && /^(timestamp|time) with(out)? time zone$/.test(base)) {
    const [word, ...zone] = base.split(' ');
    sql = `${word}(${typmods.join(',')}) ${zone.join(' ')}`;
  } else if (typmods.length > 0) {
    sql = `${base}(${typmods.join(',')})`;
  } else if (base === 'character' && isBuiltin && last === 'bpchar' && names[0] === 'pg_catalog') {
    sql = 'character(1)'; // `char` without a length is char(1)
  } else {
    sql = base;
  }
  if (typeName.setof) sql = `SETOF ${sql}`;
  if (isArray) sql = `${sql}[]`;
  return { sql, base, typmods, isArray, ...(serial ? { serial: last } : {}), approximate };
}
