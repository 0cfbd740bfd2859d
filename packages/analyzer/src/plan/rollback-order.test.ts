import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../source/parse.js';
import { orderByDependencies, type OrderedUnit } from './rollback-order.js';

beforeAll(loadParser);

const unit = (item: string, kind: OrderedUnit<string>['kind'], object: string, ...statements: string[]): OrderedUnit<string> => ({
  item, kind, object, statements, migration: 0, statementIndex: 0, renames: false, recreatesFromPrior: false, rollback: [],
});

describe('rollback order by dependencies', () => {
  it('keeps the reverse statement order when nothing depends on what a later step drops', () => {
    const units = [unit('drop b', 'add_table', 'public.b', 'CREATE TABLE b (a_id int REFERENCES a (id))'), unit('drop a', 'add_table', 'public.a', 'CREATE TABLE a (id int PRIMARY KEY)')];
    expect(orderByDependencies(units)).toEqual(['drop b', 'drop a']);
  });

  it('drops a table before the function its trigger (undone with the table) calls', () => {
    const units = [
      unit('drop function', 'create_object', 'public.stamp', 'CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$'),
      unit('drop table', 'add_table', 'public.t', 'CREATE TABLE t (id int)', 'CREATE TRIGGER s BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION stamp()'),
    ];
    expect(orderByDependencies(units)).toEqual(['drop table', 'drop function']);
  });

  it('sees a sequence named in a string, and a schema a table moves to', () => {
    const sequence = [unit('drop seq', 'create_object', 'public.ids', 'CREATE SEQUENCE ids'), unit('drop t', 'add_table', 'public.t', 'CREATE TABLE t (id int)', "ALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('ids')")];
    expect(orderByDependencies(sequence)).toEqual(['drop t', 'drop seq']);
    const schema = [unit('drop schema', 'create_object', 'ledger', 'CREATE SCHEMA ledger'), unit('move back', 'alter_object', 'public.t', 'ALTER TABLE t SET SCHEMA ledger')];
    expect(orderByDependencies(schema)).toEqual(['drop schema', 'move back'].reverse());
  });

  it('merges the drops of tables that reference each other, and keeps the reverse order for a cycle nothing breaks', () => {
    const units = [
      unit('drop b', 'add_table', 'public.b', 'CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id))'),
      unit('drop a', 'add_table', 'public.a', 'CREATE TABLE a (id int PRIMARY KEY, b_id int)', 'ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id)'),
    ];
    expect(orderByDependencies(units, (cycle) => cycle.join(' + '))).toEqual(['drop b + drop a']);
    expect(orderByDependencies(units)).toEqual(['drop b', 'drop a']);
  });

  it('recreates a definition from the prior schema after the renames of earlier statements are undone', () => {
    const units: Array<OrderedUnit<string>> = [
      { ...unit('create index', 'drop_index', 'public.orders_user_idx', 'DROP INDEX orders_user_idx'), statementIndex: 1, recreatesFromPrior: true, rollback: ['CREATE INDEX orders_user_idx ON public.orders USING btree (user_id)'] },
      { ...unit('rename back', 'rename_column', 'public.orders.user_id', 'ALTER TABLE orders RENAME COLUMN user_id TO owner_id'), statementIndex: 0, renames: true },
    ];
    expect(orderByDependencies(units)).toEqual(['rename back', 'create index']);
  });
});
