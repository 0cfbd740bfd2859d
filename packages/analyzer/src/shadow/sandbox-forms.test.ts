/**
 * Superuser-only maintenance toggles in a history (Lemmy's bulk-update pattern) replay in their sandbox forms, so the
 * history goes on with the schema Postgres would have; anything else the sandbox may not do still stops it. On the
 * run's real server, through the shadow, as the sandbox role.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadParser } from '../sql/parser.js';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { discoverMigrations, type Migration } from '../source/discover.js';
import { openShadow, type PriorResult, type Shadow } from './index.js';
import { sandboxForm } from './sandbox-forms.js';

const serverUrl = inject('postgresUrl');
const directories: string[] = [];
const shadows: Shadow[] = [];

beforeAll(() => loadParser());
afterEach(async () => {
  await Promise.all(shadows.splice(0).map((shadow) => shadow.close()));
});
afterAll(async () => {
  await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function directory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `migcheck-sandbox-forms-${prefix}-`));
  directories.push(dir);
  return dir;
}

/** The state after `files` (plain layout: each file one transaction), as the prior schema of a last migration. */
async function priorAfter(files: string[]): Promise<PriorResult> {
  const dir = await directory('migrations');
  const all = [...files, 'CREATE TABLE target_marker (id int);\n'];
  for (const [index, text] of all.entries()) await writeFile(join(dir, `${index + 1}_step.sql`), text);
  const target: Migration = discoverMigrations([dir]).at(-1)!;
  const shadow = await openShadow({ url: serverUrl, cacheDir: await directory('cache') });
  shadows.push(shadow);
  return shadow.priorSnapshot(target);
}

function snapshotOf(result: PriorResult) {
  if (!('snapshot' in result)) throw new Error(`expected the history to replay: ${JSON.stringify(result.failure)}`);
  return result.snapshot;
}

const SCHEMA = `CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, n int NOT NULL DEFAULT 0);
CREATE INDEX child_n ON child (n);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1, 0);
`;

/** Lemmy's bulk update (2025-08-01-000019_add_report_count), on a table with a foreign key and a user trigger. */
const BULK_UPDATE = `ALTER TABLE child ADD COLUMN report_count smallint NOT NULL DEFAULT 0;
ALTER TABLE child DISABLE TRIGGER ALL;
UPDATE pg_index SET indisready = FALSE WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'child');
SET session_replication_role = replica;
UPDATE child SET report_count = 1;
RESET session_replication_role;
ALTER TABLE child ENABLE TRIGGER ALL;
UPDATE pg_catalog.pg_index SET indisready = TRUE WHERE indrelid = 'child'::regclass;
`;

describe('a history with superuser-only maintenance toggles', () => {
  test('replays in the sandbox, to the schema the same history has without them', async () => {
    const withToggles = snapshotOf(await priorAfter([SCHEMA, BULK_UPDATE]));
    const without = snapshotOf(await priorAfter([SCHEMA, 'ALTER TABLE child ADD COLUMN report_count smallint NOT NULL DEFAULT 0;\n']));
    expect(withToggles).toEqual(without);
    expect(withToggles.tables['public.child']?.columns['report_count']).toBeDefined();
  });

  test('a file that holds its own transaction replays too (the savepoint keeps the refusal from aborting it)', async () => {
    const snapshot = snapshotOf(await priorAfter([SCHEMA, `BEGIN;\n${BULK_UPDATE}COMMIT;\n`]));
    expect(snapshot.tables['public.child']?.columns['report_count']).toBeDefined();
  });

  test('user triggers left disabled by DISABLE TRIGGER ALL are disabled in the shadow too', async () => {
    const all = snapshotOf(await priorAfter([SCHEMA, 'ALTER TABLE child DISABLE TRIGGER ALL;\n']));
    const user = snapshotOf(await priorAfter([SCHEMA, 'ALTER TABLE child DISABLE TRIGGER USER;\n']));
    expect(all).toEqual(user);
    expect(all.triggers['public.child.child_touch']).toMatchObject({ enabled: 'disabled' });
  });

  test.each([
    ['a catalog column the snapshot reads (indisvalid)', `UPDATE pg_index SET indisvalid = FALSE WHERE indrelid = 'child'::regclass;\n`],
    ['a catalog column that defines a column (atttypmod)', `UPDATE pg_attribute SET atttypmod = 14 WHERE attrelid = 'child'::regclass AND attname = 'n';\n`],
    ['an operational flag together with a defining one', `UPDATE pg_index SET indisready = TRUE, indisunique = TRUE WHERE indrelid = 'child'::regclass;\n`],
    ['a trigger toggle together with another change', 'ALTER TABLE child DISABLE TRIGGER ALL, ADD COLUMN x int;\n'],
  ])('still stops the replay: %s', async (_name, sql) => {
    const result = await priorAfter([SCHEMA, sql]);
    if (!('failure' in result)) throw new Error('expected the replay to stop');
    expect(result.failure).toMatchObject({ code: '42501', path: expect.stringMatching(/2_step\.sql$/) });
  });
});

describe('sandboxForm', () => {
  test('writes the trigger toggle for the table as written, every name quoted', () => {
    expect(sandboxForm('AlterTableStmt', 'ALTER TABLE IF EXISTS ONLY "a""b"."c\nd" DISABLE TRIGGER ALL, ENABLE TRIGGER ALL')).toEqual({
      replacement: 'ALTER TABLE IF EXISTS ONLY "a""b".U&"c\\000Ad" DISABLE TRIGGER USER, ENABLE TRIGGER USER',
      reason: expect.any(String),
    });
    expect(sandboxForm('AlterTableStmt', 'ALTER TABLE t ENABLE TRIGGER ALL')).toMatchObject({ replacement: 'ALTER TABLE "t" ENABLE TRIGGER USER' });
  });

  test('has no form for a table of that name in another schema, a RETURNING, or other statements', () => {
    expect(sandboxForm('UpdateStmt', 'UPDATE app.pg_index SET indisready = true')).toBeUndefined();
    expect(sandboxForm('UpdateStmt', 'UPDATE pg_index SET indisready = true RETURNING indexrelid')).toBeUndefined();
    expect(sandboxForm('AlterTableStmt', 'ALTER TABLE t DISABLE TRIGGER t_touch')).toBeUndefined();
    expect(sandboxForm('VariableSetStmt', 'SET search_path = public')).toBeUndefined();
  });
});
