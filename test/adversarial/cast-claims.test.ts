/**
 * Every cast that migcheck calls exact ("widening" or "checked" in changes/rules/alter-column-type.ts), proven on
 * the real servers of the test run (PostgreSQL 18, and Debian's 15 when installed): extreme values go through
 * the type change under hostile session settings (extra_float_digits = 0, DateStyle 'SQL, DMY', IntervalStyle
 * sql_standard, an odd TimeZone, bytea_output escape), then through the revert in a default session, and must
 * come back unchanged. A "checked" cast may instead refuse a value (the migration fails): never change it.
 * The casts migcheck calls rounding are shown to round, so that the classification is not vacuous.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { classifyTypeChange } from '../../packages/analyzer/src/changes/rules/alter-column-type.js';

const HOSTILE = "SET extra_float_digits = 0; SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard'; SET TimeZone = 'Pacific/Chatham'; SET bytea_output = 'escape'";

const INTEGERS = ['0', '-1', '32767', '-32768', '2147483647', '-2147483648', '9223372036854775807', '-9223372036854775808'];
const FLOATS = ['0.1', '-0', '1e-45', '3.4028235e38', '1.17549435e-38', 'NaN', 'Infinity', '-Infinity', '0.30000000000000004', '1.7976931348623157e308', '5e-324'];
const NUMERICS = ['0', '12345678.99', '-99999999.99', '0.01', 'NaN'];
const STRINGS = ['', 'a', 'ab   ', '   ', 'abcde', 'é€😀ab'];
const TIMESTAMPS = ['2024-01-02 03:04:05.123456', '1999-12-31 23:59:59.999999', '4713-01-01 00:00:00 BC', '294276-12-31 23:59:59.999999', 'infinity', '-infinity', '2024-03-10 02:30:00'];

/** [old type, new type, values of the old type]. */
const PAIRS: Array<[string, string, string[]]> = [
  ['smallint', 'integer', INTEGERS], ['smallint', 'bigint', INTEGERS], ['integer', 'bigint', INTEGERS],
  ['bigint', 'integer', INTEGERS], ['integer', 'smallint', INTEGERS],
  ['integer', 'numeric', INTEGERS], ['bigint', 'numeric', INTEGERS], ['integer', 'numeric(12,2)', INTEGERS], ['integer', 'numeric(5,0)', INTEGERS],
  ['smallint', 'real', INTEGERS], ['integer', 'double precision', INTEGERS],
  ['numeric(10,2)', 'numeric(12,2)', NUMERICS], ['numeric(10,2)', 'numeric', NUMERICS], ['numeric(10,2)', 'numeric(9,2)', NUMERICS],
  ['numeric(10,0)', 'bigint', ['0', '-9999999999', '9999999999']],
  ['real', 'double precision', FLOATS],
  ['character varying(10)', 'text', STRINGS], ['character varying(5)', 'character varying(10)', STRINGS],
  ['character(5)', 'text', STRINGS], ['character(5)', 'character varying(10)', STRINGS], ['character(5)', 'character varying(3)', STRINGS],
  ['integer', 'text', INTEGERS], ['bigint', 'character varying(30)', INTEGERS], ['numeric', 'text', [...NUMERICS, '123456789012345678901234567890.123456789', '1e-100']],
  ['boolean', 'text', ['true', 'false']], ['uuid', 'text', ['00000000-0000-0000-0000-000000000000', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11']],
  ['time without time zone', 'text', ['00:00:00', '23:59:59.999999', '24:00:00']],
  ['inet', 'text', ['10.0.0.1/8', '::1', '192.168.0.1']], ['cidr', 'text', ['10.0.0.0/8', '2001:db8::/32']], ['macaddr', 'text', ['08:00:2b:01:02:03']],
  ['jsonb', 'text', ['{"b": 1, "a": [1.0, 2e3]}', '"\\u00e9"', 'null']], ['jsonb', 'json', ['{"b": 1, "a": [1.0, 2e3]}', '[]']],
  ['bytea', 'text', ['\\x00ff5c27', '\\x']],
  ['date', 'timestamp without time zone', ['2024-01-02', '4713-01-01 BC', '5874897-12-31', 'infinity', '-infinity']],
  ['timestamp(3) without time zone', 'timestamp(6) without time zone', TIMESTAMPS.slice(0, 6)],
  ['time(3) without time zone', 'time without time zone', ['12:34:56.789', '23:59:59.999']],
  ['timestamp(3) with time zone', 'timestamp with time zone', ['2024-01-02 03:04:05.123+00', 'infinity']],
  // Claimed to round: shown to round.
  ['double precision', 'numeric', FLOATS], ['real', 'numeric', FLOATS], ['text', 'character varying(3)', STRINGS],
  ['double precision', 'text', FLOATS], ['timestamp without time zone', 'text', TIMESTAMPS], ['date', 'text', ['2024-01-02']],
  ['interval', 'text', ['-1 days -02:00:00', '1 mon -1 day']], ['timestamp without time zone', 'timestamp with time zone', TIMESTAMPS],
];

const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on('notice', () => {});
  clients.push(client);
  return client;
}

/** The value after the type change and its revert, or 'refused' when the type change refused it. */
async function roundTrip(forward: pg.Client, back: pg.Client, oldType: string, newType: string, value: string): Promise<{ before: string; after: string | 'refused' } | undefined> {
  const table = `cast_${Math.random().toString(36).slice(2)}`;
  await back.query(`CREATE TABLE ${table} (v ${oldType})`);
  try {
    // A value the old type cannot hold is not a case.
    if (!(await back.query(`INSERT INTO ${table} VALUES ($1)`, [value]).then(() => true, () => false))) return undefined;
    const before = (await back.query<{ v: string }>(`SELECT v::text AS v FROM ${table}`)).rows[0]!.v;
    try {
      await forward.query(`${HOSTILE}; ALTER TABLE ${table} ALTER COLUMN v TYPE ${newType}; RESET ALL`);
    } catch {
      await forward.query('RESET ALL');
      return { before, after: 'refused' };
    }
    // The revert the rule writes: the assignment cast where there is one, else a plain cast.
    try {
      await back.query(`ALTER TABLE ${table} ALTER COLUMN v TYPE ${oldType}`).catch(() => back.query(`ALTER TABLE ${table} ALTER COLUMN v TYPE ${oldType} USING v::${oldType}`));
    } catch (error) {
      return { before, after: `the revert fails: ${(error as Error).message}` };
    }
    const after = (await back.query<{ v: string }>(`SELECT v::text AS v FROM ${table}`)).rows[0]!.v;
    return { before, after };
  } finally {
    await back.query(`DROP TABLE ${table}`);
  }
}

describe.each(inject('targetServers').map((server) => [server.name, server.url] as const))('cast claims on %s', (_name, url) => {
  it.each(PAIRS.map(([from, to, values]) => [`${from} → ${to}: ${classifyTypeChange(from, to).kind}`, from, to, values] as const))(
    '%s',
    async (_title, from, to, values) => {
      const forward = await connect(url);
      const back = await connect(url);
      const kind = classifyTypeChange(from, to).kind;
      const outcomes = [];
      for (const value of values) {
        const outcome = await roundTrip(forward, back, from, to, value);
        if (outcome) outcomes.push({ value, ...outcome });
      }
      const changed = outcomes.filter((outcome) => outcome.after !== 'refused' && outcome.after !== outcome.before);
      if (kind === 'widening' || kind === 'checked' || kind === 'unchanged') {
        expect(changed, `${from} → ${to} is called ${kind}`).toEqual([]);
        if (kind === 'widening') expect(outcomes.filter((outcome) => outcome.after === 'refused'), `a widening refuses nothing`).toEqual([]);
      } else {
        expect(changed.length, `${from} → ${to} is called ${kind}: some value must show it`).toBeGreaterThan(0);
      }
    },
  );
});
