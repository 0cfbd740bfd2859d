/**
 * The fingerprint tells which objects' catalog rows changed between two readings, and nothing else: it must not
 * change while the catalog does not (transaction ids move on between readings, VACUUM freezes rows), and the form
 * for servers before PostgreSQL 14 (the ctid hashed as text) must see the same changes as the integer form.
 * (./incremental.test.ts compares whole readings with incremental ones, through this fingerprint.)
 */
import { describe, expect, test } from 'vitest';
import { createScratchDatabase, runStatements, targetServers } from '../../../../../test/helpers/database.js';
import { fingerprintFormOf, fingerprintQuery, readFingerprint, type Fingerprint, type FingerprintForm } from './fingerprint.js';

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok');
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, feeling mood DEFAULT 'ok');
  CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users, CHECK (id > 0));
  CREATE INDEX orders_user_idx ON orders (user_id);
  CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE VIEW emails AS SELECT id, email FROM users;
  COMMENT ON TABLE orders IS 'orders';
`;

const FORMS: Record<string, FingerprintForm> = { integer: 'integer', 'text (before PostgreSQL 14)': 'text' };

/** The owners whose versions differ. */
function changed(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((owner) => before.get(owner) !== after.get(owner)).sort();
}

describe.each(targetServers())('on $name', (server) => {
  test.each(Object.entries(FORMS))('%s: the same while the catalog is, across transactions and a VACUUM FREEZE', async (_name, form) => {
    const db = await createScratchDatabase('fingerprint', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const first = await readFingerprint(db.client, form);
      // Transaction ids move on (each INSERT commits one), and every row is frozen: no catalog row changes.
      for (let i = 0; i < 3; i++) await db.client.query('INSERT INTO users (email) VALUES ($1)', [`u${i}@example.com`]);
      const beforeFreeze = await readFingerprint(db.client, form);
      expect(changed(first, beforeFreeze)).toEqual([]);
      await db.client.query('VACUUM (FREEZE) pg_catalog.pg_namespace');
      const frozen = await readFingerprint(db.client, form);
      for (let i = 3; i < 6; i++) await db.client.query('INSERT INTO users (email) VALUES ($1)', [`u${i}@example.com`]);
      expect(changed(frozen, await readFingerprint(db.client, form))).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  test('both forms see the same objects change, and only those', async () => {
    const db = await createScratchDatabase('fingerprint', server.url);
    try {
      await runStatements(db.client, SCHEMA);
      const oid = async (sql: string) => String((await db.client.query<{ oid: string }>(sql)).rows[0]!.oid);
      const users = `r${await oid(`SELECT 'users'::regclass::oid AS oid`)}`;
      const orders = `r${await oid(`SELECT 'orders'::regclass::oid AS oid`)}`;
      const mood = `t${await oid(`SELECT 'mood'::regtype::oid AS oid`)}`;
      const touch = `f${await oid(`SELECT 'touch'::regproc::oid AS oid`)}`;
      const steps: Array<[sql: string, owners: string[]]> = [
        ['ALTER TABLE users RENAME COLUMN email TO mail', [users]],
        ["ALTER TYPE mood ADD VALUE 'happy'", [mood]],
        ['ALTER TABLE users DISABLE TRIGGER users_touch', [users]],
        ["COMMENT ON TABLE orders IS 'all orders'", [orders]],
        ['CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$', [touch]],
        ['CREATE SCHEMA archive', ['g']],
      ];
      for (const [sql, owners] of steps) {
        const before = await Promise.all([readFingerprint(db.client, 'integer'), readFingerprint(db.client, 'text')]);
        await db.client.query(sql);
        const after = await Promise.all([readFingerprint(db.client, 'integer'), readFingerprint(db.client, 'text')]);
        expect(changed(before[0], after[0]), sql).toEqual(owners);
        expect(changed(before[1], after[1]), sql).toEqual(owners);
      }
    } finally {
      await db.drop();
    }
  });

  test('the integer form where the server has hashtidextended (PostgreSQL 14 on); the text form does not call it', async () => {
    const db = await createScratchDatabase('fingerprint', server.url);
    try {
      expect(await fingerprintFormOf(db.client)).toBe('integer');
      expect(fingerprintQuery('integer')).toContain('hashtidextended');
      expect(fingerprintQuery('text')).not.toContain('hashtidextended');
    } finally {
      await db.drop();
    }
  });
});
