import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropTable } from './drop-table.js';

const PRIOR = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), total numeric(10,2) CHECK (total >= 0));
CREATE INDEX orders_user_idx ON orders (user_id);
COMMENT ON TABLE orders IS 'purchases';`;

ruleTester(dropTable, [
  {
    name: 'irreversible for every table named, with the seed\'s options',
    sql: 'DROP TABLE IF EXISTS orders, billing.invoices CASCADE;',
    expect: [
      { object: 'public.orders', verdict: 'irreversible', evidence: 'static', rollback: [] },
      {
        object: 'billing.invoices', verdict: 'irreversible', evidence: 'static',
        rollback: [],
        reason: 'CASCADE also drops',
        options: ['Restore from backup', 'Accept data loss', 'Recreate from logs'],
      },
    ],
  },
  {
    name: 'the prior schema gives the definition back (columns, keys, indexes, comment), not the rows',
    sql: 'DROP TABLE orders;',
    prior: PRIOR,
    expect: {
      object: 'public.orders', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        `CREATE TABLE public.orders (
  id bigint NOT NULL,
  user_id bigint,
  total numeric(10,2)
);`,
        'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
        'CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);',
        'COMMENT ON TABLE public.orders IS \'purchases\';',
      ],
      reason: 'not its rows',
    },
  },
  {
    sql: 'DROP TABLE IF EXISTS legacy;',
    prior: PRIOR,
    expect: { object: 'public.legacy', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    sql: 'DROP TABLE orders;',
    prior: PRIOR,
    state: 'pending',
    data: { tableHoldsRows: 'no' },
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'data',
      rollback: [
        `CREATE TABLE public.orders (
  id bigint NOT NULL,
  user_id bigint,
  total numeric(10,2)
);`,
        'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
        'CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);',
        'COMMENT ON TABLE public.orders IS \'purchases\';',
      ],
      reason: 'holds no rows today',
    },
  },
  {
    sql: 'DROP TABLE orders;',
    prior: PRIOR,
    state: 'pending',
    data: { tableHoldsRows: 'yes' },
    expect: {
      object: 'public.orders', verdict: 'irreversible', evidence: 'data',
      rollback: [
        `CREATE TABLE public.orders (
  id bigint NOT NULL,
  user_id bigint,
  total numeric(10,2)
);`,
        'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
        'CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);',
        'COMMENT ON TABLE public.orders IS \'purchases\';',
      ],
    },
  },
  {
    sql: 'DROP TABLE orders;',
    prior: PRIOR,
    state: 'pending',
    data: { tableHoldsRows: 'unknown' },
    expect: {
      object: 'public.orders', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        `CREATE TABLE public.orders (
  id bigint NOT NULL,
  user_id bigint,
  total numeric(10,2)
);`,
        'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
        'CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);',
        'COMMENT ON TABLE public.orders IS \'purchases\';',
      ],
    },
  },
  {
    name: 'empty, but CASCADE: irreversible',
    sql: 'DROP TABLE orders CASCADE;',
    prior: PRIOR,
    state: 'pending',
    data: { tableHoldsRows: 'no' },
    expect: {
      object: 'public.orders', verdict: 'irreversible', evidence: 'catalog',
      rollback: [
        `CREATE TABLE public.orders (
  id bigint NOT NULL,
  user_id bigint,
  total numeric(10,2)
);`,
        'ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric));',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
        'CREATE INDEX orders_user_idx ON public.orders USING btree (user_id);',
        'COMMENT ON TABLE public.orders IS \'purchases\';',
      ],
    },
  },
  {
    name: 'empty, but no prior definition: irreversible',
    sql: 'DROP TABLE orders;',
    state: 'pending',
    data: { tableHoldsRows: 'no' },
    expect: { object: 'public.orders', verdict: 'irreversible', evidence: 'static', rollback: [] },
  },
  {
    name: 'a temporary table of the session',
    sql: `CREATE TEMP TABLE scratch (id int);
DROP TABLE scratch;`,
    expect: { object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static', rollback: [], reason: 'temporary table' },
  },
]);
