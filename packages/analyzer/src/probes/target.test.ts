/**
 * DESIGN.md, "Safety of the target database", against a real PostgreSQL: read-only transactions with timeouts,
 * a role that can only SELECT, no write ever (the data's checksum and the schema are unchanged), a locked table
 * gives "unknown" quickly, and no password in any error.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { createScratchDatabase, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
import { readSchemaSnapshot } from '../catalog/index.js';
import { MigcheckError } from '../errors.js';
import {
  checkViolated,
  columnHoldsData,
  duplicatesPresent,
  enumValueInUse,
  nullsPresent,
  openTarget,
  orphansPresent,
  tableHoldsRows,
  valuesFitType,
  type Finding,
  type Target,
} from './index.js';

const t = (name: string) => ({ schema: 'public', name });

async function withDatabaseOn<T>(serverUrl: string, setup: string, use: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const db = await createScratchDatabase('target', serverUrl);
  try {
    if (setup) await db.client.query(setup);
    return await use(db);
  } finally {
    await db.drop();
  }
}

async function withTarget<T>(target: Promise<Target>, use: (target: Target) => Promise<T>): Promise<T> {
  const opened = await target;
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

/** A little of everything the probes read: indexes, statistics, an enum, a foreign key's tables, a check. */
const SHOP = `
  CREATE TYPE status AS ENUM ('new', 'paid', 'refunded');
  CREATE TABLE customers (id int PRIMARY KEY, email text, tier text DEFAULT 'basic') WITH (autovacuum_enabled = off);
  CREATE TABLE orders (id bigint, customer_id int, total numeric, amount bigint, status status, note text) WITH (autovacuum_enabled = off);
  INSERT INTO customers SELECT i, 'c' || i || '@example.com', CASE WHEN i % 3 = 0 THEN 'gold' ELSE 'basic' END FROM generate_series(1, 500) i;
  INSERT INTO orders SELECT i, 1 + i % 500, i * 1.5, i * 10, 'paid', CASE WHEN i % 5 = 0 THEN NULL ELSE 'ok' END FROM generate_series(1, 3000) i;
  UPDATE orders SET amount = 3000000000, customer_id = 9999, total = -1, status = 'new' WHERE id = 2999;
  CREATE INDEX orders_amount ON orders (amount);
  ANALYZE customers;`;

const EXPECTED_ANSWERS = {
  columnHoldsData: 'yes',
  tableHoldsRows: 'yes',
  valuesFitType: 'no',
  valuesFitTypeYes: 'yes',
  nullsPresent: 'yes',
  nullsAbsent: 'no',
  duplicatesPresent: 'yes',
  duplicatesAbsent: 'no',
  orphansPresent: 'yes',
  checkViolated: 'yes',
  enumValueInUse: 'yes',
  enumValueUnused: 'no',
};

/** Every probe once, on SHOP. */
async function everyProbe(target: Target): Promise<{ [K in keyof typeof EXPECTED_ANSWERS]: Finding }> {
  return {
    columnHoldsData: await columnHoldsData(target, t('customers'), 'tier'),
    tableHoldsRows: await tableHoldsRows(target, t('orders')),
    valuesFitType: await valuesFitType(target, t('orders'), 'amount', 'integer'),
    valuesFitTypeYes: await valuesFitType(target, t('orders'), 'customer_id', 'smallint'),
    nullsPresent: await nullsPresent(target, t('orders'), 'note'),
    nullsAbsent: await nullsPresent(target, t('customers'), 'email'),
    duplicatesPresent: await duplicatesPresent(target, t('orders'), ['customer_id']),
    duplicatesAbsent: await duplicatesPresent(target, t('customers'), ['email']),
    orphansPresent: await orphansPresent(target, t('orders'), ['customer_id'], t('customers'), ['id']),
    checkViolated: await checkViolated(target, t('orders'), 'CHECK ((total > (0)::numeric))'),
    enumValueInUse: await enumValueInUse(target, t('status'), 'new'),
    enumValueUnused: await enumValueInUse(target, t('status'), 'refunded'),
  };
}


function answers(findings: Record<string, Finding>): Record<string, string> {
  return Object.fromEntries(Object.entries(findings).map(([name, finding]) => [name, finding.answer]));
}

/** Generous budgets: these tests are about safety, not speed (parallel tests on a small machine). */
const GENEROUS = { probeTimeoutMs: 10_000 };

describe.each(targetServers())('on $name', (server) => {
  const withDatabase = <T>(setup: string, use: (db: ScratchDatabase) => Promise<T>): Promise<T> => withDatabaseOn(server.url, setup, use);

  describe.concurrent('the target database', () => {
    test('every probe runs in a READ ONLY transaction with the timeouts set, as application migcheck', async () => {
      await withDatabase('CREATE TABLE t (id int); CREATE SEQUENCE s;', async (db) => {
        const url = new URL(db.url);
        url.searchParams.set('application_name', 'someone-else');
        await withTarget(openTarget({ url: url.toString(), probeTimeoutMs: 250, lockTimeoutMs: 40 }), async (target) => {
          expect(target.serverVersionNum).toBeGreaterThanOrEqual(120000);
          const settings = await target.readOnly(async (client) => {
            const { rows } = await client.query(`SELECT current_setting('transaction_read_only') AS read_only,
              current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout,
              current_setting('application_name') AS application_name`);
            return rows[0];
          });
          expect(settings).toEqual({ read_only: 'on', statement_timeout: '250ms', lock_timeout: '40ms', application_name: 'migcheck' });
          expect(await target.readOnly(async (client) => (await client.query(`SELECT current_setting('statement_timeout') AS v`)).rows[0].v, 5000)).toBe('5s');

          // Writes are refused by the server, and the target stays usable.
          for (const write of ['INSERT INTO t VALUES (1)', 'CREATE TABLE u (id int)', "SELECT nextval('s')", 'DELETE FROM t']) {
            await expect(target.readOnly((client) => client.query(write))).rejects.toMatchObject({ code: '25006' });
          }
          expect(await target.readOnly(async (client) => (await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n)).toBe(0);

          // Nothing stays open between probes: no transaction, no lock; the URL's application_name is back.
          const pid = await target.readOnly(async (client) => (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
          await tableHoldsRows(target, t('t'));
          const { rows } = await db.client.query(
            `SELECT a.state, a.application_name, (SELECT count(*)::int FROM pg_locks l WHERE l.pid = a.pid AND l.relation IS NOT NULL) AS locks
             FROM pg_stat_activity a WHERE a.pid = $1`,
            [pid],
          );
          expect(rows).toEqual([{ state: 'idle', application_name: 'someone-else', locks: 0 }]);
        });
      });
    });

    test('a role that can only SELECT gets the same answers; a table it may not read is refused (unknown)', async () => {
      const role = `reader_${randomBytes(4).toString('hex')}`;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      await withDatabase(SHOP, async (db) => {
        await db.client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}';
          GRANT CONNECT ON DATABASE "${db.name}" TO ${role};
          GRANT USAGE ON SCHEMA public TO ${role};
          GRANT SELECT ON customers, orders TO ${role};
          CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('x');`);
        try {
          const url = new URL(db.url);
          url.username = role;
          url.password = password;
          await withTarget(openTarget({ url: url.toString(), ...GENEROUS }), async (reader) => {
            expect(await reader.readOnly(async (client) => (await client.query('SELECT current_user AS u')).rows[0].u)).toBe(role);
            const findings = await everyProbe(reader);
            expect(answers(findings)).toEqual(EXPECTED_ANSWERS);
            // The statistics are readable with SELECT alone: the reader takes the same shortcuts.
            expect(findings.columnHoldsData.method).toBe('statistics');
            for (const finding of Object.values(findings)) expect(finding.method).not.toBe('refused');

            const refused = await tableHoldsRows(reader, t('secrets'));
            expect(refused).toMatchObject({ answer: 'unknown', method: 'refused' });
            expect(refused.detail).toMatch(new RegExp(`role ${role} has no SELECT privilege on public\\.secrets`));
            expect(await nullsPresent(reader, t('secrets'), 'v')).toMatchObject({ answer: 'unknown', method: 'refused' });
          });
          await withTarget(openTarget({ url: db.url, ...GENEROUS }), async (owner) => {
            expect(answers(await everyProbe(owner))).toEqual(EXPECTED_ANSWERS);
          });
        } finally {
          await db.drop();
          const admin = new pg.Client({ connectionString: server.url });
          await admin.connect();
          await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
        }
      });
    });

    test("the target's data and schema are unchanged after probing, bounded and exact", async () => {
      await withDatabase(SHOP, async (db) => {
        const checksum = async () =>
          (
            await db.client.query(`SELECT
              (SELECT md5(string_agg(md5(c::text), '' ORDER BY md5(c::text))) FROM customers c) AS customers,
              (SELECT md5(string_agg(md5(o::text), '' ORDER BY md5(o::text))) FROM orders o) AS orders`)
          ).rows[0];
        const before = { data: await checksum(), schema: await readSchemaSnapshot(db.client) };
        await withTarget(openTarget({ url: db.url, ...GENEROUS }), everyProbe);
        await withTarget(openTarget({ url: db.url, exact: true }), everyProbe);
        expect({ data: await checksum(), schema: await readSchemaSnapshot(db.client) }).toEqual(before);
      });
    });

    test('a table held by an ACCESS EXCLUSIVE lock: unknown (timeout) within milliseconds, the lock holder undisturbed', async () => {
      await withDatabase(
        `CREATE TABLE busy (id int, big bigint, v text, total numeric) WITH (autovacuum_enabled = off);
         INSERT INTO busy SELECT i, i, 'x', i FROM generate_series(1, 1000) i;
         CREATE TABLE fresh (id int) WITH (autovacuum_enabled = off);
         CREATE TABLE parent (id int) WITH (autovacuum_enabled = off);`,
        async (db) => {
          const locker = new pg.Client({ connectionString: db.url });
          await locker.connect();
          try {
            await locker.query('BEGIN; LOCK TABLE busy, fresh, parent IN ACCESS EXCLUSIVE MODE');
            await withTarget(openTarget({ url: db.url }), async (target) => {
              const findings = {
                nulls: await nullsPresent(target, t('busy'), 'v'),
                fits: await valuesFitType(target, t('busy'), 'big', 'integer'),
                data: await columnHoldsData(target, t('busy'), 'v'),
                rows: await tableHoldsRows(target, t('fresh')),
                duplicates: await duplicatesPresent(target, t('busy'), ['id']),
                orphans: await orphansPresent(target, t('busy'), ['id'], t('parent'), ['id']),
                check: await checkViolated(target, t('busy'), 'CHECK ((total > (0)::numeric))'),
              };
              for (const [name, finding] of Object.entries(findings)) {
                expect({ name, answer: finding.answer, method: finding.method }, finding.detail).toEqual({ name, answer: 'unknown', method: 'timeout' });
                expect(finding.detail).toMatch(/the table is locked by another session \(lock not granted in time\)/);
                // lock_timeout is 50 ms; the rest is the catalog read and round trips on a busy test machine.
                expect(finding.ms).toBeLessThan(1000);
              }
            });
            // The holder's transaction is intact.
            expect((await locker.query('SELECT count(*)::int AS n FROM busy')).rows[0].n).toBe(1000);
            await locker.query('ROLLBACK');
            await withTarget(openTarget({ url: db.url, ...GENEROUS }), async (target) => {
              // Small tables: read whole, exactly.
              expect(await nullsPresent(target, t('busy'), 'v')).toMatchObject({ answer: 'no', method: 'exact' });
              expect(await tableHoldsRows(target, t('fresh'))).toMatchObject({ answer: 'no', method: 'exact' });
            });
          } finally {
            await locker.end();
          }
        },
      );
    });

    test('probes called concurrently on one target queue up on its one connection', async () => {
      await withDatabase(SHOP, async (db) => {
        await withTarget(openTarget({ url: db.url, ...GENEROUS }), async (target) => {
          const [a, b, c, d] = await Promise.all([
            nullsPresent(target, t('orders'), 'note'),
            valuesFitType(target, t('orders'), 'amount', 'integer'),
            tableHoldsRows(target, t('customers')),
            enumValueInUse(target, t('status'), 'refunded'),
          ]);
          expect([a.answer, b.answer, c.answer, d.answer]).toEqual(['yes', 'no', 'yes', 'no']);
        });
      });
    });
  });

  describe.concurrent('no password in any error', () => {
    test('an unreachable server', async () => {
      const error = await openTarget({ url: 'postgres://app:s3cret-Pa55@127.0.0.1:1/app?sslmode=disable' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigcheckError);
      const message = (error as Error).message;
      expect(message).toContain('postgres://app:***@127.0.0.1:1/app');
      expect(message).not.toContain('s3cret');
      expect(String((error as Error).stack)).not.toContain('s3cret');
    });

    test('a refused login, with a percent-encoded password', async () => {
      const url = new URL(server.url);
      url.username = `nobody_${randomBytes(4).toString('hex')}`;
      url.password = 'p%40ss-W0rd-x';
      const error = await openTarget({ url: url.toString() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigcheckError);
      const message = (error as Error).message;
      expect(message).toMatch(/cannot connect to the target database postgres:\/\/nobody_[0-9a-f]+:\*\*\*@/);
      expect(message).not.toMatch(/p%40ss|p@ss/);
    });

    test('a connection lost between probes', async () => {
      await withDatabase('CREATE TABLE t (id int)', async (db) => {
        const url = new URL(db.url);
        const target = await openTarget({ url: db.url });
        try {
          await db.client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'migcheck' AND datname = current_database()`);
          const error = await tableHoldsRows(target, t('t')).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(MigcheckError);
          expect((error as Error).message).toMatch(/lost the connection to the target database|terminat/);
          expect((error as Error).message).not.toContain(`:${url.password}@`);
        } finally {
          await target.close();
        }
        await expect(target.readOnly(async () => 1)).rejects.toThrow(/closed/);
      });
    });
  });
});
