/**
 * `--format sarif` against the official SARIF 2.1.0 JSON schema (OASIS, draft-07), not against our own idea of it
 * (issue 13). The schema comes from the npm registry: @datadog/datadog-ci-plugin-sarif validates uploads with it and
 * ships it, verbatim, as the object literal `sarif_schema_2_1_0_default` of its bundle (no npm package ships the
 * file itself in draft-07 form; @microsoft/jest-sarif has only the draft-04 pre-release rtm.5). The test reads that
 * literal, checks it is the official schema ($id), and validates migcheck's output with ajv and ajv-formats.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migcheck } from './helpers/cli.js';
import { hostileNames, quoteIdentForTest as q } from './hostile/hostile.js';

const OFFICIAL_ID = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';

/** The schema object literal of the plugin's bundle, evaluated alone (an inert object: no code of the bundle runs). */
function officialSarifSchema(): Record<string, unknown> {
  const manifest = createRequire(import.meta.url).resolve('@datadog/datadog-ci-plugin-sarif/package.json');
  const bundle = readFileSync(join(dirname(manifest), 'dist', 'bundle.js'), 'utf8');
  const marker = 'var sarif_schema_2_1_0_default = ';
  const start = bundle.indexOf(marker);
  const end = bundle.indexOf('\n};\n', start);
  if (start < 0 || end < 0) throw new Error('the SARIF schema is no longer where this test looks for it in @datadog/datadog-ci-plugin-sarif');
  return runInNewContext(`(${bundle.slice(start + marker.length, end + 2)})`, Object.create(null) as object, { timeout: 1000 }) as Record<string, unknown>;
}

// ajv-formats is CommonJS: its default export is the module object under nodenext typing.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

let validate: ValidateFunction;
const work = mkdtempSync(join(tmpdir(), 'migcheck-sarif-'));

beforeAll(() => {
  const schema = officialSarifSchema();
  expect(schema.$id).toBe(OFFICIAL_ID);
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function sarifOf(args: string[]): unknown {
  const result = migcheck(['lint', '--no-shadow', '--quiet', '--format', 'sarif', ...args]);
  expect(result.stderr).toBe('');
  expect([0, 1]).toContain(result.status);
  return JSON.parse(result.stdout) as unknown;
}

function schemaErrors(sarif: unknown): string[] {
  return validate(sarif) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

describe('SARIF output against the official SARIF 2.1.0 schema', () => {
  it('rejects a SARIF log that breaks the schema (the check can fail)', () => {
    const sarif = sarifOf(['fixtures/shop/migrations']) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    sarif.runs[0]!.results[0]!.level = 'fatal';
    delete sarif.runs[0]!.results[0]!.message;
    expect(schemaErrors(sarif)).not.toEqual([]);
  });

  it('a clean report (no change at all) is valid', () => {
    const dir = join(work, 'clean');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '001_nothing.sql'), '-- nothing to do yet\n');
    const sarif = sarifOf([dir]) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0]!.results).toEqual([]);
    expect(schemaErrors(sarif)).toEqual([]);
  });

  it('an irreversible report (the shop fixture) is valid', () => {
    const sarif = sarifOf(['fixtures/shop/migrations']) as { runs: Array<{ results: Array<{ level: string }> }> };
    expect(sarif.runs[0]!.results.map((result) => result.level)).toContain('error');
    expect(schemaErrors(sarif)).toEqual([]);
  });

  it('a report of hostile names in hostile file names is valid', () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir, { recursive: true });
    Object.values(hostileNames(join(work, 'pwned'))).forEach((name, index) => {
      const file = `${String(index + 1).padStart(3, '0')}_${name.replace(/[/\0]/g, '_').slice(0, 60)} #?:%.sql`;
      writeFileSync(join(dir, file), `CREATE TABLE ${q(name)} (id int);\nALTER TABLE ${q(name)} DROP COLUMN id;\n`);
    });
    const sarif = sarifOf([dir]) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(10);
    expect(schemaErrors(sarif)).toEqual([]);
  });
});
