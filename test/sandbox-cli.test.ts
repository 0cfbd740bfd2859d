/**
 * Issue 7, item 2, as a user meets it: `migcheck lint` and `migcheck verify` of a pull request whose history holds
 * `COPY … TO PROGRAM` run nothing on the CI machine (the embedded shadow replays as its sandbox role); the file is
 * reported as history that could not be replayed, and the verdict that needed it is not "safe".
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migcheck } from './helpers/cli.js';

let project: string;
let proof: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'migcheck-sandbox-cli-'));
  // The server runs as another OS user when this runs as root: it could write here if it were allowed to run programs.
  await chmod(project, 0o777);
  proof = join(project, 'proof');
  await writeFile(join(project, '1_create.sql'), 'CREATE TABLE t (id int PRIMARY KEY, n int);\n');
  await writeFile(join(project, '2_innocent.sql'), `COPY (SELECT 1) TO PROGRAM 'id > ${proof}';\n`);
  await writeFile(join(project, '3_widen.sql'), 'ALTER TABLE t ALTER COLUMN n TYPE bigint;\n');
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

interface JsonReport {
  verdict: string;
  migrations: Array<{
    path: string;
    verdict: string;
    history?: { failure?: string };
    changes: Array<{ verdict: string; evidence: string }>;
    rehearsal?: { failure?: string };
  }>;
}

describe.each(['lint', 'verify'])('migcheck %s of a history that runs a program', (command) => {
  test('runs nothing, and reports the history migration that could not be replayed', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'migcheck-sandbox-cli-cache-'));
    try {
      const result = migcheck([command, project, '--format', 'json', '--fail-on', 'none', '--cache-dir', cacheDir, '--quiet']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(existsSync(proof)).toBe(false);
      const report = JSON.parse(result.stdout) as JsonReport;
      const widen = report.migrations.find((migration) => migration.path.endsWith('3_widen.sql'))!;
      const reported = JSON.stringify(widen);
      expect(reported).toMatch(/2_innocent\.sql:1:1: permission denied to COPY to or from an external program/);
      // Without the prior schema the old type is unknown: never safe.
      expect(widen.verdict).not.toBe('safe');
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('the replay role in what migcheck prints', () => {
  test('is never an owner to restore nor a grantee: OWNER TO is risky, a recreated view gets only its real grants', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migcheck-sandbox-cli-owner-'));
    try {
      await writeFile(join(dir, '1_create.sql'), 'CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT 1 AS x;\nGRANT SELECT ON v TO PUBLIC;\n');
      await writeFile(join(dir, '2_change.sql'), 'ALTER TABLE t OWNER TO app;\nDROP VIEW v;\n');
      const cacheDir = join(dir, 'cache');
      const json = migcheck(['lint', dir, '--format', 'json', '--fail-on', 'none', '--cache-dir', cacheDir, '--quiet']);
      expect(json.status).toBe(0);
      const change = (JSON.parse(json.stdout) as { migrations: Array<{ changes: Array<{ object: string; verdict: string; reason: string; rollback: string[] }> }> })
        .migrations[1]!.changes;
      expect(change[0]).toMatchObject({ object: 'public.t', verdict: 'risky', rollback: [] });
      expect(change[0]!.reason).toMatch(/previous owner is the role that ran the earlier migrations/);
      expect(change[1]!.rollback.join('\n')).toMatch(/CREATE VIEW public\.v[\s\S]*GRANT SELECT ON TABLE public\.v TO PUBLIC;/);
      const sql = migcheck(['plan', dir, '--format', 'sql', '--fail-on', 'none', '--cache-dir', cacheDir, '--quiet']);
      for (const output of [json.stdout, sql.stdout]) {
        expect(output).not.toMatch(/migcheck_sandbox|OWNER TO postgres/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
