/**
 * The hostile-input fuzz harness (bench/fuzz-hostile.mjs) with a small budget, on the run's PostgreSQL server:
 * random migrations with hostile names, literals and file names, every format checked, the SQL output run
 * through psql next to a sentinel table. `node bench/fuzz-hostile.mjs --inputs 1000` is the long run.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

interface FuzzCounts {
  inputs: number;
  shadowed: number;
  verdicts: number;
  crashes: number;
  hangs: number;
  injections: number;
  format: number;
  findings: Array<{ kind: string; input: number; detail: string }>;
}

describe('fuzz: hostile migrations, small budget', () => {
  it('no crash, hang, injection or forged output line', () => {
    const run = spawnSync(process.execPath, [resolve(repoRoot, 'bench/fuzz-hostile.mjs'), '--inputs', '8', '--seed', '20261130', '--shadow-every', '4', '--timeout', '45', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, FUZZ_DATABASE_URL: inject('postgresUrl') },
      timeout: 240_000,
    });
    expect(run.stderr).toBe('');
    const counts = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as FuzzCounts;
    expect(counts.findings).toEqual([]);
    expect(counts).toMatchObject({ inputs: 8, shadowed: 2, crashes: 0, hangs: 0, injections: 0, format: 0 });
    expect(counts.verdicts).toBeGreaterThan(4);
    expect(run.status).toBe(0);
  }, 300_000);
});
