import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { addConstraint } from './add-constraint.js';

const PRIOR = `CREATE TABLE orders (id int, code text, total numeric, user_id int);
CREATE UNIQUE INDEX orders_code_idx ON orders (code);`;

const PRIOR_KEYED = 'CREATE TABLE orders (id int NOT NULL, code text, total numeric, user_id int);';

const AFTER = `CREATE TABLE orders (id int, code text, total numeric CHECK (total > 0), user_id int);
CREATE UNIQUE INDEX orders_code_idx ON orders (code);`;

ruleTester(addConstraint, [
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;',
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_total_positive;'],
      reason: 'dropping it loses no data',
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_user_fk;'],
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);',
    expect: {
      object: 'public.orders.orders_code_key', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_code_key;'],
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (id WITH =);',
    expect: {
      object: 'public.orders.no_overlap', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT no_overlap;'],
    },
  },
  {
    name: 'quotes names that need it',
    sql: 'ALTER TABLE "Orders" ADD CONSTRAINT "Total > 0" CHECK (total > 0);',
    expect: {
      object: 'public.Orders.Total > 0', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public."Orders" DROP CONSTRAINT "Total > 0";'],
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CHECK (total > 0);',
    expect: { object: 'public.orders', verdict: 'risky', evidence: 'static', rollback: [], reason: 'has no name' },
  },
  {
    name: 'unnamed, applied: the name Postgres chose is read from the target',
    sql: 'ALTER TABLE orders ADD CHECK (total > 0);',
    prior: PRIOR,
    target: AFTER,
    state: 'applied',
    expect: {
      object: 'public.orders', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_total_check;'],
      reason: 'the name Postgres chose',
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX orders_code_idx;',
    expect: {
      object: 'public.orders.k', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT k;'],
      reason: 'takes over index',
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX orders_code_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.k', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.orders DROP CONSTRAINT k;',
        'CREATE UNIQUE INDEX orders_code_idx ON public.orders USING btree (code);',
      ],
      reason: 'rebuilt from its prior definition',
    },
  },
  {
    name: 'USING INDEX of an index the prior schema lacks: risky',
    sql: 'ALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX missing_idx;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.k', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT k;'],
    },
  },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
    expect: {
      object: 'public.orders.orders_pkey', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_pkey;'],
      reason: 'NOT NULL',
    },
  },
  {
    name: 'a primary key over a nullable column: DROP NOT NULL too',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_pkey', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.orders DROP CONSTRAINT orders_pkey;',
        'ALTER TABLE public.orders ALTER COLUMN id DROP NOT NULL;',
      ],
      reason: 'become nullable again',
    },
  },
  {
    name: 'a primary key over a NOT NULL column: the constraint only',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);',
    prior: PRIOR_KEYED,
    expect: {
      object: 'public.orders.orders_pkey', verdict: 'safe', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_pkey;'],
    },
  },
  {
    name: 'a primary key over a column the prior schema lacks: risky',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (missing);',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_pkey', verdict: 'risky', evidence: 'catalog',
      rollback: ['ALTER TABLE public.orders DROP CONSTRAINT orders_pkey;'],
    },
  },
]);
