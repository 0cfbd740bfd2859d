/**
 * `verify`: rehearsals in a shadow database on the real test server. Each migration is applied in the
 * state before it, then migcheck's rollback (and the project's down migration), and the schemas compared.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { verify, lint } from '../packages/analyzer/src/commands.js';
import type { MigrationReport, Report } from '../packages/analyzer/src/report/schema.js';
import { reportSchema } from '../packages/analyzer/src/report/schema.js';

const root = resolve(import.meta.dirname, '..');

function shadow() {
  return { url: inject('postgresUrl'), cacheDir: mkdtempSync(join(tmpdir(), 'migcheck-cache-')) };
}

/** A golang-migrate directory from {name: [up, down?]}. */
function project(files: Record<string, [string, string?]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-verify-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, [up, down]] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.up.sql`), up);
    if (down !== undefined) writeFileSync(join(dir, `${name}.down.sql`), down);
  }
  return dir;
}

const byId = (report: Report, id: string): MigrationReport => {
  const migration = report.migrations.find((m) => m.id === id);
  if (!migration) throw new Error(`no migration ${id}`);
  return migration;
};

describe('migcheck verify', () => {
  it('rehearses the shop example: rollbacks restore the schema, and seeded rows expose the narrowing', async () => {
    const report = reportSchema.parse(await verify([join(root, 'fixtures/shop/migrations')], { cwd: root, shadow: shadow() }));
    expect(report.command).toBe('verify');

    const email = byId(report, '000002_add_email');
    expect(email.rehearsal).toMatchObject({ restored: true, mode: 'transaction', differences: [] });
    expect(email.changes.map((c) => [c.kind, c.verdict, c.evidence])).toEqual([
      ['add_column', 'safe', 'rehearsed'],
      ['add_index', 'safe', 'rehearsed'],
    ]);
    // The project's own down migration restores the schema, and drops what the new application wrote.
    expect(email.rehearsal?.down).toMatchObject({ restored: true, differences: [] });
    expect(email.rehearsal?.down?.destroys.join('\n')).toMatch(/drop_column public\.users\.email/);

    // int → bigint: the prior type comes from the history, the revert is exact, but not once a value
    // beyond the integer range is written.
    const age = byId(report, '000004_widen_age').changes[0]!;
    expect(age.rollback).toEqual(['ALTER TABLE public.users ALTER COLUMN age TYPE integer;']);
    expect(age.verdict).toBe('risky');
    expect(age.evidence).toBe('rehearsed');
    expect(age.reason).toMatch(/Rehearsal with rows the new application could write: .*integer out of range/);

    // A dropped column's definition comes back, its data does not: still irreversible.
    const phone = byId(report, '000005_drop_phone');
    expect(phone.changes[0]).toMatchObject({ verdict: 'irreversible', rollback: ['ALTER TABLE public.users ADD COLUMN phone text;'] });
    expect(phone.rehearsal?.restored).toBe(true);
  });

  it('reports a rollback that does not restore the schema, with the difference, as at least risky', async () => {
    const dir = project({
      '0001_users': ['CREATE TABLE users (id int, email text);'],
      '0002_key': ['ALTER TABLE users ADD PRIMARY KEY (id);', 'ALTER TABLE users DROP CONSTRAINT users_pkey;'],
    });
    const report = await verify([dir], { shadow: shadow() });
    const key = byId(report, '0002_key');
    expect(key.verdict).toBe('risky');
    expect(key.rehearsal).toMatchObject({ restored: false });
    expect(key.rehearsal?.differences.join('\n')).toMatch(/users_pkey/);
    // The project's down drops the key but leaves id NOT NULL: not restored either.
    expect(key.rehearsal?.down).toMatchObject({ restored: false });
    expect(key.rehearsal?.down?.differences.join('\n')).toMatch(/public\.users\.id/);
  });

  it('catches a rollback that fails on rows the application could write (DROP NOT NULL → SET NOT NULL over NULLs)', async () => {
    const dir = project({
      '0001_users': ['CREATE TABLE users (id serial PRIMARY KEY, nickname text NOT NULL);'],
      '0002_optional_nickname': ['ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;'],
    });
    const change = byId(await verify([dir], { shadow: shadow() }), '0002_optional_nickname').changes[0]!;
    expect(change).toMatchObject({ kind: 'drop_not_null', verdict: 'risky', evidence: 'rehearsed' });
    expect(change.reason).toMatch(/contains null values/);
  });

  it('rehearses statements that cannot run in a transaction in copies of the database', async () => {
    const dir = project({
      '0001_users': ['CREATE TABLE users (id int, email text);'],
      '0002_index': ['CREATE INDEX CONCURRENTLY users_email_idx ON users (email);', 'DROP INDEX CONCURRENTLY users_email_idx;'],
    });
    const migration = byId(await verify([dir], { shadow: shadow() }), '0002_index');
    expect(migration.rehearsal).toMatchObject({ restored: true, mode: 'database', down: { restored: true } });
    expect(migration.changes[0]).toMatchObject({ verdict: 'safe', evidence: 'rehearsed' });
  });

  it('rehearses from the state it runs in, not from a cached prior of another replay', async () => {
    // 'now'::timestamp is a constant fixed when the view is created: every replay of this history has another one.
    const dir = project({
      '0001_posts': ["CREATE TABLE posts (published timestamp);\nCREATE VIEW recent AS SELECT * FROM posts WHERE published > 'now'::timestamp - interval '1 month';"],
      '0002_users': ['CREATE TABLE users (id int);', 'DROP TABLE users;'],
      '0003_index': ['CREATE INDEX CONCURRENTLY posts_published_idx ON posts (published);', 'DROP INDEX CONCURRENTLY posts_published_idx;'],
      // Its rollback recreates the view from the text it had before: the text of the replay the rehearsal runs in.
      '0004_view': ["DROP VIEW recent;\nCREATE VIEW recent AS SELECT published FROM posts WHERE published > 'now'::timestamp - interval '1 week';"],
    });
    const shadowOptions = shadow();
    const cold = await verify([dir], { shadow: shadowOptions });
    // Its prior schemas in the snapshot cache, as lint would have left them.
    await lint([dir], { shadow: shadowOptions });
    const warm = await verify([dir], { shadow: shadowOptions });
    for (const report of [cold, warm]) {
      expect(byId(report, '0002_users').rehearsal).toMatchObject({ restored: true, mode: 'transaction', differences: [], down: { restored: true } });
      expect(byId(report, '0003_index').rehearsal).toMatchObject({ restored: true, mode: 'database', differences: [], down: { restored: true } });
      expect(byId(report, '0004_view').rehearsal).toMatchObject({ restored: true, differences: [] });
    }
    expect(warm.migrations.map((m) => m.changes.map((c) => c.verdict))).toEqual(cold.migrations.map((m) => m.changes.map((c) => c.verdict)));
    // verify reads no snapshot, but fills the cache for lint.
    expect(byId(await lint([dir], { shadow: shadowOptions }), '0004_view').history).toMatchObject({ cached: true });
  });

  it('reports a history migration that fails to apply, and keeps the static verdicts', async () => {
    const dir = project({
      '0001_users': ['CREATE TABLE users (id int);'],
      '0002_broken': ['ALTER TABLE users\n  ADD COLUMN a int;\nALTER TABLE no_such_table ADD COLUMN b int;'],
      '0003_more': ['ALTER TABLE users ALTER COLUMN id TYPE bigint;'],
    });
    const shadowOptions = shadow();
    const report = await verify([dir], { shadow: shadowOptions });
    expect(byId(report, '0003_more').rehearsal?.failure).toMatch(/^history: .*0002_broken\.up\.sql:3:1: relation "no_such_table" does not exist/);
    expect(byId(report, '0003_more').changes[0]).toMatchObject({ verdict: 'risky', evidence: 'static' });
    expect(byId(report, '0002_broken').rehearsal?.failure).toMatch(/^migration: .*0002_broken\.up\.sql:3:1/);

    // lint falls back the same way, and says why.
    const linted = await lint([dir], { shadow: shadowOptions });
    expect(byId(linted, '0003_more').history?.failure).toMatch(/0002_broken\.up\.sql:3:1: relation "no_such_table" does not exist/);
  });
});

describe('lint with history', () => {
  it('completes rollbacks from the replayed history, and serves the second run from the cache', async () => {
    const options = { cwd: root, shadow: shadow() };
    const first = await lint([join(root, 'fixtures/shop/migrations/000004_widen_age.up.sql')], options);
    const age = first.migrations[0]!;
    expect(age.history).toEqual({ replayed: 3, cached: false });
    expect(age.changes[0]).toMatchObject({ verdict: 'safe', evidence: 'catalog', rollback: ['ALTER TABLE public.users ALTER COLUMN age TYPE integer;'] });
    const second = await lint([join(root, 'fixtures/shop/migrations/000004_widen_age.up.sql')], options);
    expect(second.migrations[0]!.history).toEqual({ replayed: 3, cached: true });
  });

  it('stays static with shadow: false, and for migrations whose verdicts the history cannot improve', async () => {
    const report = await lint([join(root, 'fixtures/shop/migrations')], { cwd: root, shadow: false });
    expect(report.migrations.every((migration) => migration.history === undefined)).toBe(true);
    const withShadow = await lint([join(root, 'fixtures/shop/migrations')], { cwd: root, shadow: shadow() });
    expect(withShadow.migrations.filter((migration) => migration.history).map((migration) => migration.id)).toEqual(['000004_widen_age']);
  });
});
