import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { addTable } from './add-table.js';

const PRIOR = 'CREATE TABLE orders (id bigint PRIMARY KEY);';

ruleTester(addTable, [
  {
    name: 'seed "No data": safe, DROP TABLE after the old app is deployed',
    sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(10,2) NOT NULL);',
    expect: {
      object: 'public.invoices', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TABLE public.invoices;'],
      reason: 'until it holds rows',
    },
  },
  {
    sql: 'CREATE TABLE billing."Invoice Lines" (id int);',
    expect: {
      object: 'billing.Invoice Lines', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TABLE billing."Invoice Lines";'],
    },
  },
  {
    sql: 'CREATE TABLE IF NOT EXISTS invoices (id int);',
    expect: {
      object: 'public.invoices', verdict: 'risky', evidence: 'static',
      rollback: ['DROP TABLE public.invoices;'],
      reason: 'may have existed',
      incomplete: 'may have existed',
    },
  },
  {
    sql: 'CREATE TABLE IF NOT EXISTS orders (id int);',
    prior: PRIOR,
    expect: { object: 'public.orders', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'did nothing' },
  },
  {
    name: 'IF NOT EXISTS of a table the prior schema lacks: created, safe (catalog)',
    sql: 'CREATE TABLE IF NOT EXISTS invoices (id int);',
    prior: PRIOR,
    expect: {
      object: 'public.invoices', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP TABLE public.invoices;'],
    },
  },
  {
    sql: 'CREATE TABLE archive AS SELECT * FROM orders;',
    expect: {
      object: 'public.archive', verdict: 'risky', evidence: 'static',
      rollback: ['DROP TABLE public.archive;'],
      reason: 'created with rows',
    },
  },
  {
    sql: 'SELECT * INTO archive FROM orders;',
    expect: {
      object: 'public.archive', verdict: 'risky', evidence: 'static',
      rollback: ['DROP TABLE public.archive;'],
      reason: 'created with rows',
    },
  },
  {
    sql: 'CREATE TABLE empty_copy AS SELECT * FROM orders WITH NO DATA;',
    expect: {
      object: 'public.empty_copy', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TABLE public.empty_copy;'],
    },
  },
  {
    sql: 'CREATE TEMP TABLE scratch (id int);',
    expect: {
      object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'disappears with the session',
    },
  },
  {
    sql: 'CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM (1) TO (2);',
    expect: {
      object: 'public.orders_2026', verdict: 'safe', evidence: 'static',
      rollback: ['DROP TABLE public.orders_2026;'],
    },
  },
  {
    sql: 'CREATE TABLE invoices (id int);',
    state: 'applied',
    data: { tableHoldsRows: 'no' },
    expect: {
      object: 'public.invoices', verdict: 'safe', evidence: 'data',
      rollback: ['DROP TABLE public.invoices;'],
      reason: 'No data → Safe Rollback',
    },
  },
  {
    name: 'seed "Has data": risky, the table backed up first',
    sql: 'CREATE TABLE invoices (id int);',
    state: 'applied',
    data: { tableHoldsRows: 'yes' },
    expect: {
      object: 'public.invoices', verdict: 'risky', evidence: 'data',
      rollback: [
        'CREATE SCHEMA IF NOT EXISTS migcheck_backup;',
        'CREATE TABLE migcheck_backup.invoices AS TABLE public.invoices;',
        'DROP TABLE public.invoices;',
      ],
      reason: 'Has data → Risky Rollback',
    },
  },
  {
    name: 'a refused data check is risky, never safe',
    sql: 'CREATE TABLE invoices (id int);',
    state: 'applied',
    data: { tableHoldsRows: {"answer":"unknown","method":"refused","ms":1,"detail":"row-level security hides rows from the role"} },
    expect: {
      object: 'public.invoices', verdict: 'risky', evidence: 'data',
      rollback: [
        'CREATE SCHEMA IF NOT EXISTS migcheck_backup;',
        'CREATE TABLE migcheck_backup.invoices AS TABLE public.invoices;',
        'DROP TABLE public.invoices;',
      ],
    },
  },
  {
    name: 'a temporary table is never checked for rows',
    sql: 'CREATE TEMP TABLE scratch (id int);',
    state: 'applied',
    expect: { object: 'pg_temp.scratch', verdict: 'safe', evidence: 'static', rollback: [] },
  },
  {
    name: 'undoes everything else the same migration does to the new table',
    sql: `CREATE TABLE orders (id bigint);
ALTER TABLE orders ADD COLUMN total numeric, ALTER COLUMN id TYPE integer, ADD CHECK (total > 0);
CREATE INDEX ON orders (total);
INSERT INTO orders VALUES (1, 2);
ALTER TABLE orders RENAME TO purchases;
CREATE INDEX purchases_idx ON purchases (id);`,
    expect: [
      { object: 'public.orders', verdict: 'safe', evidence: 'static', rollback: ['DROP TABLE public.orders;'] },
      { rule: 'add-column', object: 'public.orders.total', verdict: 'safe', evidence: 'static', rollback: [] },
      {
        rule: 'alter-column-type', object: 'public.orders.id', verdict: 'safe', evidence: 'static',
        rollback: [],
      },
      { rule: 'add-constraint', object: 'public.orders', verdict: 'safe', evidence: 'static', rollback: [] },
      { rule: 'add-index', object: 'public.orders', verdict: 'safe', evidence: 'static', rollback: [] },
      { rule: 'data-change', object: 'public.orders', verdict: 'safe', evidence: 'static', rollback: [] },
      {
        rule: 'rename-table', object: 'public.orders', verdict: 'safe', evidence: 'static',
        rollback: ['ALTER TABLE public.purchases RENAME TO orders;'],
      },
      { rule: 'add-index', object: 'public.purchases_idx', verdict: 'safe', evidence: 'static', rollback: [] },
    ],
  },
]);
