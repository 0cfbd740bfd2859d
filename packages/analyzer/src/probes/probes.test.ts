/**
 * Each probe against real data on a real PostgreSQL: the answer 'yes' and the answer 'no', through each of the
 * ways it can be decided (catalog, statistics after ANALYZE, an index, a bounded query, --exact), and 'unknown'
 * when the budget is too small to decide.
 *
 * Tables are created with autovacuum off, so that statistics exist only where a test runs ANALYZE. The probes
 * get a generous budget (tests run in parallel on small machines): these tests are about answers and methods;
 * timing is the business of the 'timeout' tests here and in target.test.ts, and of bench/probes-10m.mjs.
 */
import { describe, expect, test } from 'vitest';
import { createScratchDatabase, targetServers, type ScratchDatabase } from '../../../../test/helpers/database.js';
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
  type TargetOptions,
} from './index.js';

interface Fixture {
  db: ScratchDatabase;
  target: Target;
  open(options?: Omit<TargetOptions, 'url'>): Promise<Target>;
}

async function withTargetOn<T>(serverUrl: string, setup: string, use: (fixture: Fixture) => Promise<T>): Promise<T> {
  const db = await createScratchDatabase('probes', serverUrl);
  const opened: Target[] = [];
  const open = async (options: Omit<TargetOptions, 'url'>) => {
    const target = await openTarget({ url: db.url, ...options });
    opened.push(target);
    return target;
  };
  try {
    if (setup) await db.client.query(setup);
    return await use({ db, target: await open({ probeTimeoutMs: GENEROUS_MS }), open });
  } finally {
    await Promise.all(opened.map((target) => target.close()));
    await db.drop();
  }
}

const GENEROUS_MS = 10_000;
const t = (name: string) => ({ schema: 'public', name });
const OFF = 'WITH (autovacuum_enabled = off)';

function expectFinding(finding: Finding, answer: Finding['answer'], method: Finding['method'], detail?: RegExp): void {
  expect({ answer: finding.answer, method: finding.method }, finding.detail).toEqual({ answer, method });
  if (detail) expect(finding.detail).toMatch(detail);
  expect(finding.ms).toBeGreaterThanOrEqual(0);
}

describe.each(targetServers())('on $name', (server) => {
  const withTarget = <T>(setup: string, use: (fixture: Fixture) => Promise<T>): Promise<T> => withTargetOn(server.url, setup, use);

  describe.concurrent('tableHoldsRows', () => {
    test('empty → no, rows → yes, missing → unknown (missing)', async () => {
      await withTarget(
        `CREATE TABLE empty (id int) ${OFF}; CREATE TABLE full_ (id int) ${OFF}; INSERT INTO full_ VALUES (1);`,
        async ({ target }) => {
          expectFinding(await tableHoldsRows(target, t('empty')), 'no', 'exact', /public\.empty is empty/);
          expectFinding(await tableHoldsRows(target, t('full_')), 'yes', 'exact', /holds rows/);
          expectFinding(await tableHoldsRows(target, t('nope')), 'unknown', 'missing', /public\.nope does not exist/);
          expectFinding(await tableHoldsRows(target, { schema: 'nowhere', name: 'empty' }), 'unknown', 'missing');
        },
      );
    });

    test('rows deleted (dead tuples only) → no; partitioned and inherited tables count their children', async () => {
      await withTarget(
        `CREATE TABLE gone (id int) ${OFF}; INSERT INTO gone SELECT generate_series(1, 1000); DELETE FROM gone;
         CREATE TABLE parted (at int) PARTITION BY RANGE (at);
         CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
         INSERT INTO parted VALUES (5);
         CREATE TABLE base (id int); CREATE TABLE derived () INHERITS (base); INSERT INTO derived VALUES (1);`,
        async ({ target }) => {
          expectFinding(await tableHoldsRows(target, t('gone')), 'no', 'exact');
          expectFinding(await tableHoldsRows(target, t('parted')), 'yes', 'exact');
          expectFinding(await tableHoldsRows(target, t('base')), 'yes', 'exact');
        },
      );
    });
  });

  describe.concurrent('columnHoldsData', () => {
    test('an added column: all NULL → no; one value → yes', async () => {
      await withTarget(
        `CREATE TABLE users (id int, email text) ${OFF};
         INSERT INTO users (id) SELECT generate_series(1, 2000);`,
        async ({ db, target }) => {
          expectFinding(await columnHoldsData(target, t('users'), 'email'), 'no', 'exact', /no row of public\.users\.email holds a non-NULL value/);
          await db.client.query(`UPDATE users SET email = 'a@example.com' WHERE id = 1999`);
          expectFinding(await columnHoldsData(target, t('users'), 'email'), 'yes', 'exact', /found a non-NULL value/);
          expectFinding(await columnHoldsData(target, t('users'), 'phone'), 'unknown', 'missing', /column phone does not exist in public\.users/);
        },
      );
    });

    test('a constant default counts as no data; any other value is data', async () => {
      await withTarget(
        `CREATE TABLE orders (id int) ${OFF};
         INSERT INTO orders SELECT generate_series(1, 2000);
         ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
         ALTER TABLE orders ADD COLUMN qty bigint DEFAULT 0;
         ALTER TABLE orders ADD COLUMN meta json DEFAULT '{}';`,
        async ({ db, target }) => {
          expectFinding(await columnHoldsData(target, t('orders'), 'status'), 'no', 'exact', /other than NULL and its default 'new'::text/);
          expectFinding(await columnHoldsData(target, t('orders'), 'qty'), 'no', 'exact');
          // json has no equality operator: the text forms are compared.
          expectFinding(await columnHoldsData(target, t('orders'), 'meta'), 'no', 'exact');
          await db.client.query(`UPDATE orders SET status = 'paid', qty = 3, meta = '{"a": 1}' WHERE id = 1500`);
          expectFinding(await columnHoldsData(target, t('orders'), 'status'), 'yes', 'exact');
          expectFinding(await columnHoldsData(target, t('orders'), 'qty'), 'yes', 'exact');
          expectFinding(await columnHoldsData(target, t('orders'), 'meta'), 'yes', 'exact');
        },
      );
    });

    test('a default that is not a constant: every non-NULL value is data; a generated column holds none', async () => {
      await withTarget(
        `CREATE TABLE events (id int) ${OFF};
         INSERT INTO events SELECT generate_series(1, 10);
         ALTER TABLE events ADD COLUMN at timestamptz DEFAULT now();
         ALTER TABLE events ADD COLUMN seq bigserial;
         ALTER TABLE events ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;`,
        async ({ target }) => {
          expectFinding(await columnHoldsData(target, t('events'), 'at'), 'yes', 'exact', /its default now\(\) is not a constant/);
          expectFinding(await columnHoldsData(target, t('events'), 'seq'), 'yes', 'exact', /nextval/);
          expectFinding(await columnHoldsData(target, t('events'), 'twice'), 'no', 'exact', /generated column/);
        },
      );
    });

    test('statistics after ANALYZE prove data; an index proves its absence', async () => {
      await withTarget(
        `CREATE TABLE items (id int, note text, code int, state text DEFAULT 'new') ${OFF};
         INSERT INTO items SELECT i, CASE WHEN i % 10 = 0 THEN 'x' END, NULL, CASE WHEN i % 7 = 0 THEN 'old' ELSE 'new' END
         FROM generate_series(1, 20000) i;
         CREATE INDEX items_code ON items (code);
         ANALYZE items;`,
        async ({ target }) => {
          expectFinding(await columnHoldsData(target, t('items'), 'note'), 'yes', 'statistics', /pg_stats says 10 % of public\.items\.note is non-NULL \(analyzed \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
          expectFinding(await columnHoldsData(target, t('items'), 'state'), 'yes', 'statistics', /other than NULL and its default 'new'::text/);
          expectFinding(await columnHoldsData(target, t('items'), 'code'), 'no', 'index', /index items_code/);
        },
      );
    });

    test('exact: true decides by a full check, not by statistics', async () => {
      await withTarget(
        `CREATE TABLE items (id int, note text) ${OFF};
         INSERT INTO items SELECT i, CASE WHEN i % 10 = 0 THEN 'x' END FROM generate_series(1, 5000) i;
         ANALYZE items;`,
        async ({ open }) => {
          const exact = await open({ exact: true });
          expectFinding(await columnHoldsData(exact, t('items'), 'note'), 'yes', 'exact', /found a non-NULL value in public\.items\.note \(exact check\)/);
        },
      );
    });
  });

  describe.concurrent('valuesFitType', () => {
    test('bigint values within the integer range → yes; one beyond → no, saying which', async () => {
      await withTarget(
        `CREATE TABLE accounts (id int, balance bigint) ${OFF};
         INSERT INTO accounts SELECT i, i * 1000 FROM generate_series(1, 5000) i;`,
        async ({ db, target }) => {
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'integer'), 'yes', 'exact', /every value of public\.accounts\.balance fits integer/);
          await db.client.query('UPDATE accounts SET balance = 2147483648 WHERE id = 4000');
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'integer'), 'no', 'exact', /found a value 2147483648 beyond integer/);
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'int4'), 'no', 'exact');
          // A widening conversion keeps every value: no query needed.
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'numeric'), 'yes', 'exact', /every bigint value converts to numeric and back unchanged/);
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'numeric(10,0)'), 'yes', 'exact');
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'real'), 'yes', 'exact');
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'smallint'), 'no', 'exact');
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'bigint'), 'yes', 'exact', /already of type bigint/);
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'no_such_type'), 'unknown', 'missing', /type no_such_type does not exist/);
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'int; DROP TABLE accounts'), 'unknown', 'missing');
        },
      );
    });

    test('with an index: answered from it, both ways', async () => {
      await withTarget(
        `CREATE TABLE accounts (id int, balance bigint) ${OFF};
         INSERT INTO accounts SELECT i, i FROM generate_series(1, 50000) i;
         CREATE INDEX accounts_balance ON accounts (balance);
         ANALYZE accounts;`,
        async ({ db, target }) => {
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'integer'), 'yes', 'index', /index accounts_balance/);
          await db.client.query('UPDATE accounts SET balance = -3000000000 WHERE id = 25000');
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'integer'), 'no', 'index', /found a value -3000000000 beyond integer in public\.accounts\.balance \(index accounts_balance\)/);
        },
      );
    });

    test('statistics: a histogram bound beyond the range proves it as of the ANALYZE', async () => {
      await withTarget(
        `CREATE TABLE accounts (id int, balance bigint) ${OFF};
         INSERT INTO accounts SELECT i, i FROM generate_series(1, 5000) i;
         UPDATE accounts SET balance = 9000000000 WHERE id = 10;
         ANALYZE accounts;`,
        async ({ target }) => {
          expectFinding(await valuesFitType(target, t('accounts'), 'balance', 'integer'), 'no', 'statistics', /pg_stats holds a value 9000000000 beyond integer .*\(analyzed /);
        },
      );
    });

    test('numeric, text and varchar: casts that fail or change the value → no; exact round trips → yes', async () => {
      await withTarget(
        `CREATE TABLE prices (id int, whole numeric, half numeric, code text, word text, name varchar(50), ts timestamptz, odd numeric, far float8) ${OFF};
         INSERT INTO prices SELECT i, i::numeric + 0.0, i + 0.5, i::text, 'w' || i, 'short', '2024-01-01 10:00:00+00' FROM generate_series(1, 100) i;
         UPDATE prices SET name = 'a name longer than ten characters', odd = 'NaN', far = 'Infinity' WHERE id = 50;`,
        async ({ target }) => {
          expectFinding(await valuesFitType(target, t('prices'), 'whole', 'integer'), 'yes', 'exact');
          expectFinding(await valuesFitType(target, t('prices'), 'odd', 'integer'), 'no', 'exact', /found a value NaN that integer does not hold unchanged/);
          expectFinding(await valuesFitType(target, t('prices'), 'far', 'integer'), 'no', 'exact', /found a value Infinity beyond integer/);
          expectFinding(await valuesFitType(target, t('prices'), 'half', 'integer'), 'no', 'exact', /found a value 1\.5 that integer does not hold unchanged/);
          expectFinding(await valuesFitType(target, t('prices'), 'code', 'integer'), 'yes', 'exact');
          // Free text is never quoted in a finding.
          const word = await valuesFitType(target, t('prices'), 'word', 'integer');
          // Before Postgres 16 (no pg_input_is_valid) the failing cast itself is the witness.
          const misfit = target.serverVersionNum >= 160000 ? /a value \(2 characters\) that does not fit integer/ : /a value of public\.prices\.word does not convert to integer/;
          expectFinding(word, 'no', 'exact', misfit);
          expect(word.detail).not.toContain('w1');
          expectFinding(await valuesFitType(target, t('prices'), 'name', 'varchar(10)'), 'no', 'exact', /does not fit (character varying|varchar)\(10\)/); // the server's spelling from Postgres 17
          expectFinding(await valuesFitType(target, t('prices'), 'name', 'varchar(40)'), 'yes', 'exact');
          expectFinding(await valuesFitType(target, t('prices'), 'ts', 'timestamp'), 'yes', 'exact');
          expectFinding(await valuesFitType(target, t('prices'), 'ts', 'date'), 'no', 'exact');
        },
      );
    });

    test('an empty table fits any type; exact: true checks every row', async () => {
      await withTarget(
        `CREATE TABLE empty (v bigint) ${OFF}; CREATE TABLE big (v bigint) ${OFF};
         INSERT INTO big SELECT generate_series(1, 1000); INSERT INTO big VALUES (5000000000);`,
        async ({ target, open }) => {
          expectFinding(await valuesFitType(target, t('empty'), 'v', 'smallint'), 'yes', 'exact', /public\.empty is empty/);
          const exact = await open({ exact: true });
          expectFinding(await valuesFitType(exact, t('big'), 'v', 'integer'), 'no', 'exact', /found a value 5000000000 beyond integer in public\.big\.v \(exact check\)/);
        },
      );
    });
  });

  describe.concurrent('nullsPresent', () => {
    test('no NULL → no; a NULL → yes; NOT NULL → no from the catalog', async () => {
      await withTarget(
        `CREATE TABLE people (id int NOT NULL, name text) ${OFF};
         INSERT INTO people SELECT i, 'n' || i FROM generate_series(1, 3000) i;`,
        async ({ db, target }) => {
          expectFinding(await nullsPresent(target, t('people'), 'name'), 'no', 'exact', /no NULL in public\.people\.name/);
          expectFinding(await nullsPresent(target, t('people'), 'id'), 'no', 'exact', /NOT NULL \(a validated constraint\)/);
          await db.client.query('UPDATE people SET name = NULL WHERE id = 2999');
          expectFinding(await nullsPresent(target, t('people'), 'name'), 'yes', 'exact', /found a NULL/);
        },
      );
    });

    test('statistics prove NULLs; null_frac = 0 is not taken as proof (a NULL inserted after ANALYZE is found)', async () => {
      await withTarget(
        `CREATE TABLE people (id int, name text, nick text) ${OFF};
         INSERT INTO people SELECT i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' END, 'x' FROM generate_series(1, 20000) i;
         ANALYZE people;
         UPDATE people SET nick = NULL WHERE id = 19999;`,
        async ({ target }) => {
          expectFinding(await nullsPresent(target, t('people'), 'name'), 'yes', 'statistics', /pg_stats says 25 % of public\.people\.name is NULL \(analyzed /);
          expectFinding(await nullsPresent(target, t('people'), 'nick'), 'yes', 'exact', /found a NULL/);
        },
      );
    });

    test('an index answers both ways', async () => {
      await withTarget(
        `CREATE TABLE people (id int, name text) ${OFF};
         INSERT INTO people SELECT i, 'n' || i FROM generate_series(1, 50000) i;
         CREATE INDEX people_name ON people (name);
         ANALYZE people;`,
        async ({ db, target }) => {
          expectFinding(await nullsPresent(target, t('people'), 'name'), 'no', 'index', /no NULL in public\.people\.name \(index people_name\)/);
          // The statistics still say 0 % NULL: the index finds the new one.
          await db.client.query('UPDATE people SET name = NULL WHERE id = 40000');
          expectFinding(await nullsPresent(target, t('people'), 'name'), 'yes', 'index', /found a NULL .*index people_name/);
        },
      );
    });

    test('a NOT VALID NOT NULL constraint proves nothing (Postgres 18)', async () => {
      await withTarget(`CREATE TABLE legacy (v int) ${OFF}; INSERT INTO legacy VALUES (1), (NULL);`, async ({ db, target }) => {
        if (target.serverVersionNum < 180000) return;
        await db.client.query('ALTER TABLE legacy ADD CONSTRAINT v_set NOT NULL v NOT VALID');
        expectFinding(await nullsPresent(target, t('legacy'), 'v'), 'yes', 'exact');
      });
    });

    test('a table over 1 MiB is read within the budget (bounded); a small one is read whole (exact)', async () => {
      await withTarget(
        `CREATE TABLE big (id int, v text) ${OFF};
         INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(1, 20000) i;
         CREATE TABLE tiny (id int, v text) ${OFF}; INSERT INTO tiny VALUES (1, 'x');`,
        async ({ target }) => {
          expectFinding(await nullsPresent(target, t('big'), 'v'), 'no', 'bounded', /every row checked, bounded by 10000 ms/);
          expectFinding(await nullsPresent(target, t('tiny'), 'v'), 'no', 'exact', /public\.tiny is small \(\d+ kB\): every row checked/);
        },
      );
    });

    test('a budget too small for a scan → unknown (timeout); exact: true decides', async () => {
      await withTarget(
        `CREATE TABLE wide (id int, v text) ${OFF};
         INSERT INTO wide SELECT i, repeat('x', 200) FROM generate_series(1, 300000) i;
         ANALYZE wide;`,
        async ({ open }) => {
          const tight = await open({ probeTimeoutMs: 5 });
          const finding = await nullsPresent(tight, t('wide'), 'v');
          expectFinding(finding, 'unknown', 'timeout', /did not finish within 5 ms; pg_stats says 0 % NULL \(a sample, not proof\); --exact checks every row/);
          expect(finding.ms).toBeLessThan(1000);
          const exact = await open({ exact: true });
          expectFinding(await nullsPresent(exact, t('wide'), 'v'), 'no', 'exact');
        },
      );
    });
  });

  describe.concurrent('duplicatesPresent', () => {
    test('a unique index → no (index); duplicates → yes; NULLs are never duplicates', async () => {
      await withTarget(
        `CREATE TABLE users (id int, email text, team int, nick text) ${OFF};
         INSERT INTO users SELECT i, 'u' || i || '@example.com', i % 10, NULL FROM generate_series(1, 3000) i;
         CREATE UNIQUE INDEX users_email ON users (email);`,
        async ({ db, target }) => {
          expectFinding(await duplicatesPresent(target, t('users'), ['email']), 'no', 'index', /unique index users_email guarantees no duplicates/);
          expectFinding(await duplicatesPresent(target, t('users'), ['email', 'team']), 'no', 'index');
          expectFinding(await duplicatesPresent(target, t('users'), ['id']), 'no', 'exact', /no two rows of public\.users share the same \(id\)/);
          expectFinding(await duplicatesPresent(target, t('users'), ['team']), 'yes', 'exact', /found rows that share the same \(team\)/);
          expectFinding(await duplicatesPresent(target, t('users'), ['nick']), 'no', 'exact');
          expectFinding(await duplicatesPresent(target, t('users'), ['id', 'team']), 'no', 'exact');
          await db.client.query('UPDATE users SET id = 7 WHERE id = 2500');
          expectFinding(await duplicatesPresent(target, t('users'), ['id']), 'yes', 'exact');
        },
      );
    });

    test('statistics: most common values of an ordered type repeat', async () => {
      await withTarget(
        `CREATE TABLE users (id int, team int) ${OFF};
         INSERT INTO users SELECT i, i % 10 FROM generate_series(1, 5000) i;
         ANALYZE users;`,
        async ({ target }) => {
          expectFinding(await duplicatesPresent(target, t('users'), ['team']), 'yes', 'statistics', /most common values/);
          // All distinct: no most common values, so the statistics say nothing and the query decides.
          expectFinding(await duplicatesPresent(target, t('users'), ['id']), 'no', 'exact');
        },
      );
    });
  });

  describe.concurrent('partitions and inheritance', () => {
    test('a query on the parent reads its partitions and children; a unique index on an inheritance parent proves nothing', async () => {
      await withTarget(
        `CREATE TABLE events (id int, at int, note text) PARTITION BY RANGE (at);
         CREATE TABLE events_a PARTITION OF events FOR VALUES FROM (0) TO (100);
         CREATE TABLE events_b PARTITION OF events FOR VALUES FROM (100) TO (200);
         CREATE UNIQUE INDEX events_key ON events (id, at);
         INSERT INTO events SELECT i, i % 200, 'x' FROM generate_series(1, 1000) i;
         UPDATE events SET note = NULL WHERE id = 999;
         CREATE TABLE base (code int) ${OFF};
         CREATE UNIQUE INDEX base_code ON base (code);
         CREATE TABLE derived () INHERITS (base);
         INSERT INTO base VALUES (1), (2); INSERT INTO derived VALUES (2);`,
        async ({ target }) => {
          expectFinding(await nullsPresent(target, t('events'), 'note'), 'yes', 'exact');
          expectFinding(await duplicatesPresent(target, t('events'), ['id', 'at']), 'no', 'index', /unique index events_key/);
          expectFinding(await duplicatesPresent(target, t('events'), ['note']), 'yes', 'exact');
          expectFinding(await duplicatesPresent(target, t('base'), ['code']), 'yes', 'exact');
          // The partitioned index answers through each partition's own.
          expectFinding(await valuesFitType(target, t('events'), 'id', 'smallint'), 'yes', 'index', /index events_a_id_at_idx, events_b_id_at_idx/);
        },
      );
    });
  });

  describe.concurrent('orphansPresent', () => {
    const setup = `
      CREATE TABLE customers (id int PRIMARY KEY) ${OFF};
      CREATE TABLE orders (id int, customer_id int) ${OFF};
      INSERT INTO customers SELECT generate_series(1, 1000);
      INSERT INTO orders SELECT i, 1 + i % 1000 FROM generate_series(1, 5000) i;
      INSERT INTO orders VALUES (0, NULL);`;

    test('every reference matches → no; a missing parent → yes; NULL references are no orphans', async () => {
      await withTarget(setup, async ({ db, target }) => {
        const probe = () => orphansPresent(target, t('orders'), ['customer_id'], t('customers'), ['id']);
        expectFinding(await probe(), 'no', 'exact', /every row of public\.orders with \(customer_id\) set has its match in public\.customers/);
        await db.client.query('DELETE FROM customers WHERE id = 999');
        expectFinding(await probe(), 'yes', 'exact', /found a row of public\.orders whose \(customer_id\) has no match in public\.customers/);
      });
    });

    test('an enforced foreign key → no from the catalog; statistics find a sampled orphan', async () => {
      await withTarget(setup, async ({ db, target }) => {
        await db.client.query('ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)');
        expectFinding(await orphansPresent(target, t('orders'), ['customer_id'], t('customers'), ['id']), 'no', 'exact', /foreign key orders_customer/);
        await db.client.query('ALTER TABLE orders DROP CONSTRAINT orders_customer; ANALYZE orders; DELETE FROM customers WHERE id <= 500');
        expectFinding(await orphansPresent(target, t('orders'), ['customer_id'], t('customers'), ['id']), 'yes', 'statistics', /pg_stats of public\.orders\.customer_id \(analyzed .*\) holds a value that public\.customers\.id does not hold now/);
      });
    });

    test('mismatched column lists and missing tables', async () => {
      await withTarget(setup, async ({ target }) => {
        expectFinding(await orphansPresent(target, t('orders'), ['customer_id', 'id'], t('customers'), ['id']), 'unknown', 'missing');
        expectFinding(await orphansPresent(target, t('orders'), ['customer_id'], t('clients'), ['id']), 'unknown', 'missing', /public\.clients does not exist/);
      });
    });
  });

  describe.concurrent('checkViolated', () => {
    test('a violating row → yes; NULL passes; the same constraint in place → no', async () => {
      await withTarget(
        `CREATE TABLE orders (id int, total numeric) ${OFF};
         INSERT INTO orders SELECT i, i FROM generate_series(1, 3000) i;
         INSERT INTO orders VALUES (0, NULL);`,
        async ({ db, target }) => {
          const definition = 'CHECK ((total > (0)::numeric))';
          expectFinding(await checkViolated(target, t('orders'), definition), 'no', 'exact', /no row of public\.orders violates CHECK \(\(total > \(0\)::numeric\)\)/);
          expectFinding(await checkViolated(target, t('orders'), `${definition} NOT VALID`), 'no', 'exact');
          await db.client.query('UPDATE orders SET total = -5 WHERE id = 2000');
          expectFinding(await checkViolated(target, t('orders'), definition), 'yes', 'exact', /found a row of public\.orders that violates/);
          await db.client.query('UPDATE orders SET total = 5 WHERE id = 2000; ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0)');
          expectFinding(await checkViolated(target, t('orders'), definition), 'no', 'exact', /constraint positive on public\.orders already enforces/);
          expectFinding(await checkViolated(target, t('orders'), 'UNIQUE (id)'), 'unknown', 'missing');
        },
      );
    });

    test('with an index on the checked column, the negated condition is answered from it', async () => {
      await withTarget(
        `CREATE TABLE orders (id int, total numeric) ${OFF};
         INSERT INTO orders SELECT i, i FROM generate_series(1, 50000) i;
         CREATE INDEX orders_total ON orders (total);
         ANALYZE orders;`,
        async ({ target }) => {
          expectFinding(await checkViolated(target, t('orders'), 'CHECK ((total > (0)::numeric))'), 'no', 'index', /index orders_total/);
        },
      );
    });
  });

  describe.concurrent('enumValueInUse', () => {
    const setup = `
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
      CREATE DOMAIN strong_mood AS mood CHECK (VALUE <> 'ok');
      CREATE TYPE visit AS (at date, feeling mood);
      CREATE TABLE people (id int, mood mood) ${OFF};
      CREATE TABLE diaries (id int, moods mood[]) ${OFF};
      CREATE TABLE peaks (id int, peak strong_mood) ${OFF};
      CREATE TABLE visits (id int, v visit) ${OFF};
      CREATE TABLE kids () INHERITS (people);
      INSERT INTO people SELECT i, 'ok' FROM generate_series(1, 1000) i;
      INSERT INTO diaries SELECT i, ARRAY['sad', 'ok']::mood[] FROM generate_series(1, 100) i;
      INSERT INTO peaks SELECT i, 'sad' FROM generate_series(1, 100) i;
      INSERT INTO visits VALUES (1, ('2024-01-01', 'sad'));`;

    test('not in use → no (every column checked); in a plain, array, domain or composite column → yes', async () => {
      await withTarget(setup, async ({ db, target }) => {
        const finding = await enumValueInUse(target, t('mood'), 'happy');
        expectFinding(finding, 'no', 'exact', /no row holds 'happy' in the 4 columns of public\.mood/);
        expect(finding.detail).toContain('public.visits.v');
        expectFinding(await enumValueInUse(target, t('mood'), 'ok'), 'yes', 'exact', /found 'ok' in public\.diaries\.moods/);
        await db.client.query(`INSERT INTO kids VALUES (1, 'happy')`);
        expectFinding(await enumValueInUse(target, t('mood'), 'happy'), 'yes', 'exact', /public\.people\.mood/);
        await db.client.query(`UPDATE diaries SET moods = moods || 'ecstatic'::mood WHERE id = 50`);
        expectFinding(await enumValueInUse(target, t('mood'), 'ecstatic'), 'yes', 'exact', /public\.diaries\.moods/);
      });
    });

    test('a label the type lacks, a type no column uses, a missing type', async () => {
      await withTarget(`${setup} CREATE TYPE unused AS ENUM ('a');`, async ({ target }) => {
        expectFinding(await enumValueInUse(target, t('mood'), 'furious'), 'no', 'exact', /has no value 'furious'/);
        expectFinding(await enumValueInUse(target, t('unused'), 'a'), 'no', 'exact', /no table column uses public\.unused/);
        expectFinding(await enumValueInUse(target, t('colour'), 'red'), 'unknown', 'missing', /enum type public\.colour does not exist/);
      });
    });

    test('statistics after ANALYZE show the value', async () => {
      await withTarget(`${setup} ANALYZE people, diaries, peaks;`, async ({ target }) => {
        expectFinding(await enumValueInUse(target, t('mood'), 'ok'), 'yes', 'statistics', /pg_stats shows 'ok' in public\.(people\.mood|diaries\.moods) \(analyzed /);
        expectFinding(await enumValueInUse(target, t('mood'), 'sad'), 'yes', 'statistics');
      });
    });
  });
});
