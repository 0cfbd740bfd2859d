/**
 * Class 5 of issue 10: casts called exact that round. Each case changes a column type over values that do
 * not survive the round trip (or that survive it only under the session settings of the migration).
 */
import { afterAll, describe, it } from 'vitest';
import type { ScratchDatabase } from '../helpers/database.js';
import { expectNoFalseSafe, type AdversarialCase } from './harness.js';

const databases: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const MEASURES = `
CREATE TABLE measures (id int PRIMARY KEY, f8 double precision, f4 real, label text, code varchar(10), at timestamp, on_day date, span interval, price numeric);
INSERT INTO measures VALUES
  (1, 0.1::float8 + 0.2, 1.2345678, 'abc      ', 'ab        ', '2024-01-02 03:04:05.123456', '2024-01-02', '-1 days -02:00:00', 0.1),
  (2, 1e300, 3.4e38, 'x', 'x', 'infinity', '4713-01-01 BC', '1 mon 2 days', 'NaN'),
  (3, -0.000123456789012345678, -1.17549435e-38, '', '', '1999-12-31 23:59:59.999999', '1999-12-31', '-1 mon +1 day', 123456789012345678901234567890.123456789);`;

const CASES: AdversarialCase[] = [
  { name: 'double precision → numeric rounds to 15 significant digits (the issue)', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN f8 TYPE numeric;', expect: 'not-safe' },
  { name: 'real → numeric rounds to 6 significant digits', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN f4 TYPE numeric;', expect: 'not-safe' },
  { name: 'text → varchar(n) silently cuts trailing blanks', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN label TYPE varchar(3);', expect: 'not-safe' },
  { name: 'varchar(10) → varchar(2) silently cuts trailing blanks', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN code TYPE varchar(2);', expect: 'not-safe' },
  { name: 'double precision → text under extra_float_digits = 0', setup: MEASURES, migration: 'SET extra_float_digits = 0;\nALTER TABLE measures ALTER COLUMN f8 TYPE text;', expect: 'not-safe' },
  { name: "timestamp → text under DateStyle 'SQL, DMY'", setup: MEASURES, migration: "SET DateStyle = 'SQL, DMY';\nALTER TABLE measures ALTER COLUMN at TYPE text;", expect: 'not-safe' },
  { name: "date → text under DateStyle 'SQL, DMY'", setup: MEASURES, migration: "SET DateStyle = 'SQL, DMY';\nALTER TABLE measures ALTER COLUMN on_day TYPE text;", expect: 'not-safe' },
  { name: 'interval → text under IntervalStyle sql_standard', setup: MEASURES, migration: "SET IntervalStyle = 'sql_standard';\nALTER TABLE measures ALTER COLUMN span TYPE text;", expect: 'not-safe' },
  { name: 'numeric → numeric(40,10) rounds the scale', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN price TYPE numeric(40,10);' },
  { name: 'control: integer → bigint', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN id TYPE bigint;', expect: 'safe-with-prior' },
  { name: 'control: real → double precision', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN f4 TYPE double precision;', expect: 'safe-with-prior' },
  { name: 'control: varchar(10) → text', setup: MEASURES, migration: 'ALTER TABLE measures ALTER COLUMN code TYPE text;', expect: 'safe-with-prior' },
];

describe('class 5: type changes whose cast rounds', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    await expectNoFalseSafe(testCase, databases);
  });
});
