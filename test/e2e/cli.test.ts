import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { reportSchema, type Report } from '../../packages/analyzer/src/report/schema.js';
import { VERSION } from '../../packages/analyzer/src/version.js';
import { migcheck } from '../helpers/cli.js';

const shop = 'fixtures/shop/migrations';

function tempSql(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function jsonReport(args: string[]): { status: number; report: Report } {
  const result = migcheck([...args, '--format', 'json', '--no-shadow']);
  return { status: result.status, report: reportSchema.parse(JSON.parse(result.stdout)) };
}

describe('migcheck lint', () => {
  it('fails a history with an irreversible change (exit 1), grouped by migration, verdict first', () => {
    const result = migcheck(['lint', shop, '--no-shadow']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('fixtures/shop/migrations/000005_drop_phone.up.sql  IRREVERSIBLE');
    expect(result.stdout).toMatch(/2:1 +IRREVERSIBLE drop-column +public\.users\.phone/);
    expect(result.stdout).toContain('Verdict: IRREVERSIBLE — forward fix only');
    expect(result.stdout).not.toContain('Rollback script');
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('honours --fail-on', () => {
    expect(migcheck(['lint', shop, '--fail-on', 'none', '--no-shadow']).status).toBe(0);
    expect(migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--no-shadow']).status).toBe(0);
    expect(migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--fail-on', 'risky', '--no-shadow']).status).toBe(1);
    expect(migcheck(['lint', `${shop}/000002_add_email.up.sql`, '--fail-on', 'risky', '--no-shadow']).status).toBe(0);
  });

  it('writes the JSON contract, validated by the exported zod schema', () => {
    const { status, report } = jsonReport(['lint', shop]);
    expect(status).toBe(1);
    expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'migcheck', version: VERSION }, command: 'lint', outcome: 'forward-fix-only', verdict: 'irreversible', rollback: null });
    expect(report.summary).toEqual({ migrations: 5, changes: 8, safe: 6, risky: 1, irreversible: 1, acknowledged: 0 });
    const email = report.migrations[1]!;
    expect(email).toMatchObject({ path: `${shop}/000002_add_email.up.sql`, id: '000002_add_email', layout: 'golang-migrate', state: 'unknown', verdict: 'safe', down: `${shop}/000002_add_email.down.sql` });
    expect(email.changes[0]).toEqual({
      kind: 'add_column',
      object: 'public.users.email',
      verdict: 'safe',
      rule: 'add-column',
      line: 1,
      column: 1,
      reason: expect.stringContaining('until the column holds data'),
      evidence: 'static',
      rollback: ['ALTER TABLE public.users DROP COLUMN email;'],
      timing: 'after-app',
    });
    // Each level's verdict is the worst below it.
    for (const migration of report.migrations) {
      const worst = ['irreversible', 'risky', 'safe'].find((v) => migration.changes.some((c) => c.verdict === v)) ?? 'safe';
      expect(migration.verdict).toBe(worst);
    }
  });

  it('reads an acknowledged irreversible change as not failing, and says so', () => {
    const path = tempSql('0007_drop_fax.sql', '-- migcheck:acknowledge drop-column  fax numbers exported (OPS-12)\nALTER TABLE users DROP COLUMN fax;\n');
    const result = migcheck(['lint', path, '--no-shadow']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('(acknowledged)');
    const { report } = jsonReport(['lint', path]);
    expect(report.verdict).toBe('irreversible');
    expect(report.migrations[0]!.changes[0]!.acknowledged).toEqual({ reason: 'fax numbers exported (OPS-12)', line: 1 });
  });

  it('annotates pull requests with --format github', () => {
    const result = migcheck(['lint', shop, '--format', 'github', '--no-shadow']);
    expect(result.stdout).toContain('::error file=fixtures/shop/migrations/000005_drop_phone.up.sql,line=2,col=1,title=migcheck drop-column%3A irreversible::');
    expect(result.stdout).toContain('::warning file=fixtures/shop/migrations/000004_widen_age.up.sql,line=2,col=1');
    expect(result.stdout).not.toContain('add-column');
  });

  it('writes SARIF and markdown', () => {
    const sarif = JSON.parse(migcheck(['lint', shop, '--format', 'sarif', '--no-shadow']).stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'drop-column').level).toBe('error');
    expect(migcheck(['lint', shop, '--format', 'markdown', '--no-shadow']).stdout).toContain('## migcheck: 🛑 irreversible (forward fix only)');
  });

  it('treats an empty or comment-only file as zero statements', () => {
    const result = migcheck(['lint', tempSql('0001_nothing.sql', '-- nothing yet\n'), '--no-shadow']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no statements');
  });

  it('colours only when asked or on a terminal', () => {
    expect(migcheck(['lint', shop, '--color', '--no-shadow']).stdout).toContain('\x1b[31m');
  });
});

describe('migcheck plan', () => {
  it('prints the rollback script for a safe migration', () => {
    const result = migcheck(['plan', `${shop}/000002_add_email.up.sql`, '--format', 'sql', '--no-shadow']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('-- 1. Deploy the old application version first');
    // The verification queries at the end (plan/verification/) are checked below and in test/verification.test.ts.
    const statements = result.stdout.split('\n').filter((line) => line && !line.startsWith('--') && !line.startsWith('SELECT '));
    expect(result.stdout.split('\n').filter((line) => line.startsWith('SELECT ')).map((line) => /^SELECT '([^']*)'::text AS "check", '([^']*)'/.exec(line)?.slice(1).join(' '))).toEqual([
      'column dropped public.users.email',
      'index dropped public.users_email_key',
    ]);
    // The production forms (plan/online/): timeouts first, the index dropped CONCURRENTLY, everything re-runnable.
    expect(statements).toEqual([
      "SET lock_timeout = '5s';",
      "SET statement_timeout = '1min';",
      'DROP INDEX CONCURRENTLY IF EXISTS public.users_email_key;',
      'ALTER TABLE IF EXISTS public.users DROP COLUMN IF EXISTS email;',
    ]);
    expect(result.stdout).toContain('-- lock: SHARE UPDATE EXCLUSIVE on the table of public.users_email_key;');
    expect(result.stdout).toContain('-- lock: ACCESS EXCLUSIVE on public.users; catalog only');
  });

  it('--format verify prints the verification queries alone (not the verify command), SQL comments when there is no rollback', () => {
    const result = migcheck(['plan', `${shop}/000002_add_email.up.sql`, '--format', 'verify', '--no-shadow']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^-- after: run once the rollback script has run$/m);
    const statements = result.stdout.split('\n').filter((line) => line && !line.startsWith('--'));
    expect(statements).toHaveLength(2);
    expect(statements.every((statement) => statement.startsWith('SELECT '))).toBe(true);
    const forwardFixOnly = migcheck(['plan', shop, '--format', 'verify', '--no-shadow']);
    expect(forwardFixOnly.status).toBe(1);
    expect(forwardFixOnly.stdout).toBe('-- migcheck: no rollback script (forward fix only), so nothing to verify.\n');
  });

  it('prints only SQL comments when the outcome is forward fix only', () => {
    const result = migcheck(['plan', shop, '--format', 'sql', '--no-shadow']);
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith('--'))).toBe(true);
    expect(result.stdout).toContain('000005_drop_phone.up.sql:2:1 drop_column public.users.phone');
    expect(result.stdout).toMatch(/1\. Restore from backup[\s\S]*2\. Accept data loss[\s\S]*3\. Recreate from logs/);
  });

  it('marks an incomplete rollback script', () => {
    const { report } = jsonReport(['plan', `${shop}/000004_widen_age.up.sql`]);
    expect(report.rollback).toMatchObject({ incomplete: true, transactional: true });
    expect(report.rollback!.sql).toContain('INCOMPLETE');
  });
});

describe('bad input exits 2 with path:line:col and writes nothing to stdout', () => {
  it.each([
    ['a syntax error', '0002_bad.sql', "SELECT 'é';\nALTER TABEL users ADD x int;\n", /0002_bad\.sql:2:7: syntax error at or near "TABEL"/],
    ['a psql meta-command', '0003_psql.sql', 'SELECT 1;\n\\connect other\n', /0003_psql\.sql:2:1: psql meta-command \\connect is not SQL/],
  ])('%s', (_what, name, text, message) => {
    const result = migcheck(['lint', tempSql(name, text), '--no-shadow']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('a missing path', () => {
    const result = migcheck(['plan', 'does/not/exist.sql', '--no-shadow']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toContain('does/not/exist.sql:1:1: no such file or directory');
  });

  it('usage errors', () => {
    expect(migcheck(['lint']).status).toBe(2);
    expect(migcheck(['lint', shop, '--format', 'xml', '--no-shadow']).status).toBe(2);
    expect(migcheck(['lint', shop, '--no-such-flag', '--no-shadow']).status).toBe(2);
    expect(migcheck(['frobnicate']).status).toBe(2);
  });
});

describe('migcheck explain', () => {
  it('lists every rule and explains one with the seed wording', () => {
    const list = migcheck(['explain']);
    expect(list.status).toBe(0);
    for (const id of ['add-column', 'drop-column', 'alter-column-type', 'add-table', 'data-change', 'unknown-statement']) {
      expect(list.stdout).toContain(id);
    }
    const one = migcheck(['explain', 'drop-column']);
    expect(one.stdout).toContain('Options: 1. Restore from backup 2. Accept data loss 3. Recreate from logs');
    expect(migcheck(['explain', 'no-such-rule'])).toMatchObject({ status: 2 });
  });

  it('prints the rule examples with their verdicts', () => {
    const one = migcheck(['explain', 'add-column']);
    expect(one.stdout).toContain('Examples (verdict from the statement alone');
    expect(one.stdout).toContain('  safe         ALTER TABLE users ADD COLUMN email text;');
    expect(one.stdout).toContain('  risky        ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;');
  });

  it('prints the version', () => {
    expect(migcheck(['--version']).stdout.trim()).toBe(VERSION);
  });
});

describe('unreadable input', () => {
  it('a file that is not UTF-8 text exits 2 with its position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcheck-cli-'));
    writeFileSync(join(dir, '0001_latin1.sql'), Buffer.concat([Buffer.from("SELECT 'caf"), Buffer.from([0xe9]), Buffer.from("';\n")]));
    const result = migcheck(['lint', dir, '--no-shadow']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(/0001_latin1\.sql:1:12: cannot read file: not valid UTF-8/);
  });
});

describe('the shadow database, through the CLI', () => {
  const shadowArgs = () => ['--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-'))];

  it('lint reads the prior type from the replayed history (catalog evidence)', () => {
    const args = shadowArgs();
    const result = migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--format', 'json', '--quiet', ...args]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const change = reportSchema.parse(JSON.parse(result.stdout)).migrations[0]!;
    expect(change.history).toEqual({ replayed: 3, cached: false });
    expect(change.changes[0]).toMatchObject({ verdict: 'safe', evidence: 'catalog', rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'] });
    // The same history again: from the cache. The text says on what evidence each verdict rests.
    const again = reportSchema.parse(JSON.parse(migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--format', 'json', '--quiet', ...args]).stdout));
    expect(again.migrations[0]!.history).toEqual({ replayed: 3, cached: true });
    const text = migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--quiet', ...args]).stdout;
    expect(text).toMatch(/alter-column-type +public\.users\.age \[catalog\]/);
    expect(text).toContain('prior schema: 3 earlier migrations replayed in the shadow database (from the cache)');
  });

  it('verify rehearses every migration and prints what it proved', () => {
    const result = migcheck(['verify', shop, ...shadowArgs()]);
    expect(result.status).toBe(1); // 000005 drops a column: irreversible
    expect(result.stdout).toContain('rehearsal: the rollback restored the schema exactly');
    expect(result.stdout).toMatch(/down \(fixtures\/shop\/migrations\/000002_add_email\.down\.sql\): restores the schema/);
    expect(result.stdout).toMatch(/with seeded rows: rollback: ALTER TABLE public\.users ALTER COLUMN age TYPE integer;: integer out of range/);
    expect(migcheck(['verify', shop, '--no-shadow']).status).toBe(2);
  });

  it('an unreachable shadow server is exit 2, and its password never shows', () => {
    const result = migcheck(['lint', `${shop}/000004_widen_age.up.sql`, '--shadow-url', 'postgres://bob:s3cret-pw@127.0.0.1:1/x', '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-'))]);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toContain('postgres://bob:***@127.0.0.1:1/x');
    expect(result.stderr).not.toContain('s3cret-pw');
  });
});

describe('plan against a target database, through the CLI', () => {
  it('decides the state, checks the data, and asks whether the risk is acceptable', async () => {
    const { createScratchDatabase } = await import('../helpers/database.js');
    const db = await createScratchDatabase('cli_target');
    try {
      const dir = mkdtempSync(join(tmpdir(), 'migcheck-cli-target-'));
      writeFileSync(join(dir, '0001_users.up.sql'), 'CREATE TABLE users (id serial PRIMARY KEY, name text);');
      writeFileSync(join(dir, '0002_email.up.sql'), 'ALTER TABLE users ADD COLUMN email text;');
      await db.client.query("CREATE TABLE users (id serial PRIMARY KEY, name text); ALTER TABLE users ADD COLUMN email text; INSERT INTO users (name, email) VALUES ('ann', 'ann@x');");
      await db.client.query('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, false);');
      const shadow = ['--shadow-url', inject('postgresUrl'), '--cache-dir', mkdtempSync(join(tmpdir(), 'migcheck-cache-')), '--quiet'];
      const target = `${dir}/0002_email.up.sql`;

      const text = migcheck(['plan', target, '--database-url', db.url, ...shadow]);
      expect(text.status).toBe(0);
      expect(text.stdout).toContain('applied (schema_migrations is at version 2)');
      expect(text.stdout).toMatch(/RISKY +add-column +public\.users\.email/);
      expect(text.stdout).toContain('Acceptable risk? Not answered');
      expect(text.stdout).toContain('CREATE TABLE migcheck_backup.users__email AS SELECT id, email FROM public.users WHERE email IS NOT NULL;');

      // DATABASE_URL works too; --accept-risk answers the seed's question.
      const accepted = migcheck(['plan', target, '--accept-risk', '--format', 'sql', ...shadow], { env: { DATABASE_URL: db.url } });
      expect(accepted.stdout.startsWith('-- Rollback generated by migcheck')).toBe(true);
      const needed = migcheck(['plan', target, '--format', 'sql', ...shadow], { env: { DATABASE_URL: db.url } });
      expect(needed.stdout.startsWith('-- RISKY')).toBe(true);
      expect(needed.stdout + needed.stderr).not.toContain(new URL(db.url).password);
    } finally {
      await db.drop();
    }
  });

  it('an unreachable target is exit 2 without the password; bad timeouts are usage errors', () => {
    const result = migcheck(['plan', `${shop}/000002_add_email.up.sql`, '--no-shadow', '--database-url', 'postgres://ops:hunter2-secret@127.0.0.1:1/prod']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).not.toContain('hunter2-secret');
    expect(result.stderr).toContain('***');
    expect(migcheck(['plan', shop, '--no-shadow', '--database-url', 'postgres://x@127.0.0.1:1/x', '--probe-timeout', 'soon']).status).toBe(2);
  });
});
