/**
 * Rows the new application could write, seeded into the tables a migration touches before its rollback is
 * rehearsed, so that a rollback that only works on an empty table is caught: NULLs under a re-added
 * NOT NULL, values beyond a narrower old type, strings longer than an old varchar(n), duplicates under a
 * re-added unique key, the newest label of an enum.
 *
 * Column facts come from Postgres' catalog of the rehearsal database; each row goes in under its own
 * subtransaction, so a row the schema rejects (a check constraint, a missing referenced row) is reported and
 * skipped, never fatal. All rows go in one round trip: a rehearsal seeds every table before each migration.
 */
import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import { dollarQuoted, quoteIdent, quoteLiteral, sqlName } from '../sql/quote.js';
import type { QualifiedName } from '../changes/types.js';
import { withReadingSettings } from '../catalog/read/index.js';

export interface SeedResult {
  /** `schema.table: n rows` for each table that received rows. */
  seeded: string[];
  /** Rows the schema rejected: `schema.table: message`. */
  rejected: string[];
}

interface ColumnFacts {
  name: string;
  /** As format_type prints it under the reading settings: built-in types bare, with their modifiers (`character varying(20)`). */
  type: string;
  /**
   * The type's qualified name, for the casts of the rows: they run under the migration's search_path. Without the
   * modifiers, which the INSERT applies itself when it assigns the value to the column.
   */
  castType: string;
  category: string;
  typtype: string;
  notNull: boolean;
  hasDefault: boolean;
  identity: string;
  generated: string;
  /** For a NOT NULL single-column foreign key: the referenced `schema.table` and column. */
  referenced: { table: string; column: string } | null;
}

/**
 * The columns of every target table in one round trip, each table found by its exact names (`$1`, `$2`: the schemas
 * and names). Run under the catalog reader's settings (withReadingSettings): the migration's search_path may put its
 * own functions, operators or a type named `text` before pg_catalog's, and `type` is printed the same whatever it is.
 */
const COLUMNS_SQL = `
  SELECT target.ordinality AS target,
         a.attname AS name,
         format_type(a.atttypid, a.atttypmod) AS type,
         format('%I.%I', tn.nspname, t.typname) AS "castType",
         t.typcategory AS category,
         t.typtype AS typtype,
         a.attnotnull AS "notNull",
         a.atthasdef AS "hasDefault",
         a.attidentity::text AS identity,
         a.attgenerated::text AS generated,
         (SELECT json_build_object('table', format('%I.%I', rn.nspname, rc.relname), 'column', ra.attname)
            FROM pg_constraint fk
            JOIN pg_class rc ON rc.oid = fk.confrelid
            JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            JOIN pg_attribute ra ON ra.attrelid = fk.confrelid AND ra.attnum = fk.confkey[1]
           WHERE fk.contype = 'f' AND fk.conrelid = a.attrelid AND fk.conkey = ARRAY[a.attnum]
           LIMIT 1) AS referenced
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS target(schema, name, ordinality)
    JOIN pg_namespace n ON n.nspname = target.schema
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = target.name
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_namespace tn ON tn.oid = t.typnamespace
   ORDER BY target.ordinality, a.attnum`;

export interface SeedTarget {
  table: QualifiedName;
  /** Columns the migration touched: they get stress values even when they have a default. */
  touched: string[];
}

/**
 * Seeds three rows into each table: stress values, the same again (duplicates), and NULLs where allowed.
 * Columns with a default that the migration did not touch keep their default (serial keys stay unique).
 */
export async function seedRows(client: pg.Client, targets: SeedTarget[]): Promise<SeedResult> {
  // Each row goes in under a savepoint, which needs a transaction block: open one if the caller has none.
  const ownTransaction = client.getTransactionStatus() === 'I';
  if (ownTransaction) await client.query('BEGIN');
  try {
    return await seedTables(client, targets);
  } finally {
    if (ownTransaction) await client.query('COMMIT');
  }
}

async function seedTables(client: pg.Client, targets: SeedTarget[]): Promise<SeedResult> {
  const result: SeedResult = { seeded: [], rejected: [] };
  if (targets.length === 0) return result;
  // By their exact names: to_regclass cannot read the U&"…" form sqlName writes for a name with control characters.
  // All read before the first row: rows do not change columns (a trigger that did would only get its row rejected).
  const { rows: allColumns } = await withReadingSettings(client, () =>
    client.query<ColumnFacts & { target: string }>(COLUMNS_SQL, [targets.map(({ table }) => table.schema), targets.map(({ table }) => table.name)]),
  );
  const columnsOf = new Map<number, ColumnFacts[]>();
  for (const { target, ...column } of allColumns) {
    const index = Number(target) - 1;
    columnsOf.set(index, [...(columnsOf.get(index) ?? []), column]);
  }
  const plans = targets.flatMap(({ table, touched }, index) => {
    const columns = columnsOf.get(index) ?? [];
    return columns.length === 0 ? [] : [rowsFor(sqlName(table), columns, touched)]; // none: not a table (any more)
  });
  const inserts = plans.flatMap((plan) => ('inserts' in plan ? plan.inserts : []));
  const outcomes = (await insertedTogether(client, inserts)) ?? (await insertedOneByOne(client, inserts));
  let next = 0;
  for (const plan of plans) {
    if ('rejected' in plan) {
      result.rejected.push(plan.rejected);
      continue;
    }
    const failures = outcomes.slice(next, (next += plan.inserts.length));
    const inserted = failures.filter((failure) => failure === null).length;
    for (const failure of failures) if (failure !== null) result.rejected.push(`${plan.name}: ${failure}`);
    if (inserted > 0) result.seeded.push(`${plan.name}: ${inserted} rows`);
  }
  return result;
}

/** A table's three rows, in order: stress values, the same again (duplicates), and NULLs where allowed. */
function rowsFor(name: string, columns: ColumnFacts[], touched: string[]): { name: string; inserts: string[] } | { rejected: string } {
  const writable = columns.filter(
    (column) => column.identity !== 'a' && column.generated === '' && (touched.includes(column.name) || !(column.hasDefault || column.identity === 'd')),
  );
  const stress = new Map(writable.map((column) => [column.name, stressValue(column)]));
  if (writable.some((column) => stress.get(column.name) === undefined && column.notNull && !column.hasDefault)) {
    return { rejected: `${name}: no value can be made up for a NOT NULL column` };
  }
  const variants = [
    (column: ColumnFacts) => stress.get(column.name),
    (column: ColumnFacts) => stress.get(column.name),
    (column: ColumnFacts) => (column.notNull ? stress.get(column.name) : 'NULL'),
  ];
  const inserts = variants.map((valueOf) => {
    const present = writable.flatMap((column) => {
      const value = valueOf(column);
      return value === undefined ? [] : [{ column, value }];
    });
    return present.length === 0
      ? `INSERT INTO ${name} DEFAULT VALUES`
      : `INSERT INTO ${name} (${present.map(({ column }) => quoteIdent(column.name)).join(', ')}) VALUES (${present
          .map(({ column, value }) => `(${value})::${column.castType}`)
          .join(', ')})`;
  });
  return { name, inserts };
}

/**
 * Every row in one round trip: a DO block runs each INSERT in a block of its own (a subtransaction, as a savepoint
 * would be), so that a rejected row undoes itself alone, and leaves each row's error (null: inserted) in a setting
 * local to the transaction, read in the same batch. EXECUTE of a literal: PL/pgSQL substitutes nothing in it; types,
 * functions and operators are pg_catalog's by name: the migration's search_path is in force. Undefined, with nothing
 * inserted, when the block cannot run (a migration that dropped PL/pgSQL) or its answer is not one per row: rows then
 * go one at a time.
 */
async function insertedTogether(client: pg.Client, inserts: string[]): Promise<(string | null)[] | undefined> {
  if (inserts.length === 0) return [];
  const setting = `migcheck.seed_${randomBytes(6).toString('hex')}`;
  const body = [
    'DECLARE outcomes pg_catalog.text[] := ARRAY[]::pg_catalog.text[];',
    'BEGIN',
    ...inserts.map(
      (insert) =>
        `  BEGIN EXECUTE ${quoteLiteral(insert)}; outcomes := pg_catalog.array_append(outcomes, NULL::pg_catalog.text); EXCEPTION WHEN OTHERS THEN outcomes := pg_catalog.array_append(outcomes, SQLERRM); END;`,
    ),
    `  PERFORM pg_catalog.set_config(${quoteLiteral(setting)}, pg_catalog.array_to_json(outcomes)::pg_catalog.text, true);`,
    'END',
  ].join('\n');
  let outcomes: unknown;
  try {
    const results = (await client.query(`SAVEPOINT migcheck_seed; DO ${dollarQuoted(body)}; SELECT pg_catalog.current_setting(${quoteLiteral(setting)}, true) AS outcomes`)) as unknown as pg.QueryResult<{ outcomes: string | null }>[];
    outcomes = JSON.parse(results.at(-1)?.rows[0]?.outcomes ?? 'null');
  } catch {
    outcomes = undefined;
  }
  if (Array.isArray(outcomes) && outcomes.length === inserts.length && outcomes.every((outcome) => outcome === null || typeof outcome === 'string')) {
    await client.query('RELEASE SAVEPOINT migcheck_seed');
    return outcomes as (string | null)[];
  }
  // Nothing of the block stays: the rows one at a time must not find some of them already in.
  await client.query('ROLLBACK TO SAVEPOINT migcheck_seed');
  return undefined;
}

/** One round trip per row: the savepoint, the row and the release as one simple query; each row's error or null. */
async function insertedOneByOne(client: pg.Client, inserts: string[]): Promise<(string | null)[]> {
  const outcomes: (string | null)[] = [];
  for (const insert of inserts) {
    try {
      await client.query(`SAVEPOINT migcheck_seed; ${insert}; RELEASE SAVEPOINT migcheck_seed`);
      outcomes.push(null);
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT migcheck_seed');
      outcomes.push((error as Error).message);
    }
  }
  return outcomes;
}

/**
 * A SQL expression for a value that stresses a rollback of this column, or undefined when none fits. It runs under the
 * migration's search_path: its functions are named with their schema.
 */
function stressValue(column: ColumnFacts): string | undefined {
  // The least: the same row whatever the table's physical order (which rehearsals rolled back in place change).
  if (column.referenced) return `(SELECT ${quoteIdent(column.referenced.column)} FROM ${column.referenced.table} ORDER BY 1 LIMIT 1)`;
  const type = column.type;
  if (type.endsWith('[]')) return `'{}'`;
  // The newest label sorts last.
  if (column.typtype === 'e') return `(SELECT pg_catalog.max(v) FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::${column.castType})) AS v)`;
  if (column.typtype === 'd') return undefined; // a domain's checks are unknown here
  const length = /^(?:character varying|character|bit varying|bit)\((\d+)\)$/.exec(type)?.[1];
  switch (true) {
    case type === 'smallint':
      return '32000';
    case type === 'integer':
      return '2147483000';
    case type === 'bigint':
      return '9007199254740993'; // beyond integer, and beyond a double's exact integers
    case type.startsWith('numeric('): {
      const [precision = 10, scale = 0] = type.slice('numeric('.length, -1).split(',').map(Number);
      const integerDigits = precision - scale;
      return `'${integerDigits > 0 ? '9'.repeat(integerDigits) : '0'}${scale > 0 ? `.${'9'.repeat(scale)}` : ''}'`;
    }
    case type === 'numeric':
      return `'12345678901234567890.123456789'`;
    case type === 'real':
      return `'3.0e38'`;
    case type === 'double precision':
      return `'1.5e300'`;
    case type === 'text':
      return `pg_catalog.repeat('x', 1000)`;
    case length !== undefined && type.startsWith('character'):
      return `pg_catalog.repeat('x', ${length})`;
    case type === 'boolean':
      return 'true';
    case type === 'date':
      return `'2038-01-19'`;
    case type.startsWith('timestamp'):
      return `'2038-01-19 03:14:08.123456+00'`;
    case type.startsWith('time'):
      return `'23:59:59.999999'`;
    case type.startsWith('interval'):
      return `'1 day 00:00:00.123456'`;
    case type === 'uuid':
      return `'00000000-0000-4000-8000-000000000001'`;
    case type === 'json' || type === 'jsonb':
      return `'{"migcheck": [1, 2]}'`;
    case type === 'bytea':
      return `'\\xdeadbeef'`;
    case column.category === 'S':
      return `'migcheck'`;
    default:
      return undefined;
  }
}
