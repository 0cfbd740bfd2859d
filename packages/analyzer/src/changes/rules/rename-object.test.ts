import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { renameObject } from './rename-object.js';

ruleTester(renameObject, [
  {
    // If the index did not exist, the statement did nothing, and renaming back would rename another index of the
    // new name. Was a false "safe" before this case.
    name: 'IF EXISTS: the index may not have existed, so renaming back may rename another index',
    sql: 'ALTER INDEX IF EXISTS users_idx RENAME TO people_idx;',
    expect: {
      object: 'public.users_idx', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER INDEX public.people_idx RENAME TO users_idx;'],
      reason: 'may not have existed',
    },
  },
  {
    sql: 'ALTER VIEW IF EXISTS v RENAME TO w;',
    expect: { object: 'public.v', verdict: 'risky', evidence: 'static', rollback: ['ALTER VIEW public.w RENAME TO v;'] },
  },
  {
    sql: 'ALTER INDEX users_idx RENAME TO people_idx;',
    expect: {
      object: 'public.users_idx', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER INDEX public.people_idx RENAME TO users_idx;'],
      reason: 'renaming it back',
    },
  },
  {
    sql: 'ALTER VIEW v RENAME TO w;',
    expect: { object: 'public.v', verdict: 'safe', evidence: 'static', rollback: ['ALTER VIEW public.w RENAME TO v;'] },
  },
  {
    sql: 'ALTER MATERIALIZED VIEW s.m RENAME TO n;',
    expect: {
      object: 's.m', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER MATERIALIZED VIEW s.n RENAME TO m;'],
    },
  },
  {
    sql: 'ALTER SEQUENCE seq RENAME TO seq2;',
    expect: {
      object: 'public.seq', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER SEQUENCE public.seq2 RENAME TO seq;'],
    },
  },
  {
    sql: 'ALTER FOREIGN TABLE f RENAME TO g;',
    expect: {
      object: 'public.f', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER FOREIGN TABLE public.g RENAME TO f;'],
    },
  },
  {
    sql: 'ALTER TABLE t RENAME CONSTRAINT a TO b;',
    expect: {
      object: 'public.t.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TABLE public.t RENAME CONSTRAINT b TO a;'],
    },
  },
  {
    sql: 'ALTER TRIGGER a ON t RENAME TO b;',
    expect: {
      object: 'public.t.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TRIGGER b ON public.t RENAME TO a;'],
    },
  },
  {
    sql: 'ALTER POLICY a ON t RENAME TO b;',
    expect: {
      object: 'public.t.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER POLICY b ON public.t RENAME TO a;'],
    },
  },
  {
    sql: 'ALTER RULE a ON t RENAME TO b;',
    expect: {
      object: 'public.t.a', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER RULE b ON public.t RENAME TO a;'],
    },
  },
  {
    sql: 'ALTER FUNCTION f(int, text) RENAME TO g;',
    expect: {
      object: 'public.f', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER FUNCTION public.g(integer, text) RENAME TO f;'],
    },
  },
  {
    sql: 'ALTER PROCEDURE app.p(int) RENAME TO q;',
    expect: {
      object: 'app.p', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER PROCEDURE app.q(integer) RENAME TO p;'],
    },
  },
  {
    sql: 'ALTER AGGREGATE my_sum(int) RENAME TO my_total;',
    expect: {
      object: 'public.my_sum', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER AGGREGATE public.my_total(integer) RENAME TO my_sum;'],
    },
  },
  {
    sql: 'ALTER TYPE mood RENAME TO feeling;',
    expect: {
      object: 'public.mood', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TYPE public.feeling RENAME TO mood;'],
    },
  },
  {
    sql: 'ALTER DOMAIN email RENAME TO address;',
    expect: {
      object: 'public.email', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER DOMAIN public.address RENAME TO email;'],
    },
  },
  {
    sql: 'ALTER DOMAIN email RENAME CONSTRAINT has_at TO has_at_sign;',
    expect: {
      object: 'public.email.has_at', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER DOMAIN public.email RENAME CONSTRAINT has_at_sign TO has_at;'],
    },
  },
  {
    sql: 'ALTER COLLATION german RENAME TO deutsch;',
    expect: {
      object: 'public.german', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER COLLATION public.deutsch RENAME TO german;'],
    },
  },
  {
    sql: 'ALTER STATISTICS s1 RENAME TO s2;',
    expect: {
      object: 'public.s1', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER STATISTICS public.s2 RENAME TO s1;'],
    },
  },
  {
    sql: 'ALTER SCHEMA a RENAME TO b;',
    expect: { object: 'a', verdict: 'safe', evidence: 'static', rollback: ['ALTER SCHEMA b RENAME TO a;'] },
  },
  {
    sql: 'ALTER TYPE mood RENAME VALUE \'sad\' TO \'blue\';',
    expect: {
      object: 'public.mood', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TYPE public.mood RENAME VALUE \'blue\' TO \'sad\';'],
    },
  },
  {
    name: 'quotes enum labels through the literal helper',
    sql: 'ALTER TYPE mood RENAME VALUE \'it\'\'s\' TO \'ok\';',
    expect: {
      object: 'public.mood', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TYPE public.mood RENAME VALUE \'ok\' TO \'it\'\'s\';'],
    },
  },
  {
    sql: 'ALTER TYPE addr RENAME ATTRIBUTE zip TO postcode;',
    expect: {
      object: 'public.addr.zip', verdict: 'safe', evidence: 'static',
      rollback: ['ALTER TYPE public.addr RENAME ATTRIBUTE postcode TO zip;'],
    },
  },
  {
    sql: 'ALTER PUBLICATION p RENAME TO q;',
    expect: {
      object: 'p', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'cannot write the reverse rename',
    },
  },
  {
    sql: 'ALTER SERVER s RENAME TO t;',
    expect: { object: 's', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
