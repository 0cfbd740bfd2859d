import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { dropConstraint } from './drop-constraint.js';

const PRIOR = `CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE);
CREATE TABLE orders (id int, user_id int CONSTRAINT orders_user_fk REFERENCES users (id), total numeric CONSTRAINT orders_total_positive CHECK (total > 0));
COMMENT ON CONSTRAINT orders_total_positive ON orders IS 'no free orders';`;

ruleTester(dropConstraint, [
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;',
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'cannot be written',
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk CASCADE;',
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'CASCADE may also drop',
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
      ],
      reason: 'added back from its prior definition',
    },
  },
  {
    name: 'a check constraint, with its comment',
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_positive;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK ((total > (0)::numeric));',
        'COMMENT ON CONSTRAINT orders_total_positive ON public.orders IS \'no free orders\';',
      ],
    },
  },
  {
    name: 'CASCADE on a key: the foreign keys that referenced it come back too',
    sql: 'ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;',
    prior: PRIOR,
    expect: {
      object: 'public.users.users_pkey', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
      ],
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_gone;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_gone', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'did nothing',
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_gone;',
    prior: PRIOR,
    expect: {
      object: 'public.orders.orders_gone', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
  {
    sql: 'ALTER TABLE users DROP CONSTRAINT users_email_key;',
    prior: PRIOR,
    state: 'applied',
    data: { duplicatesPresent: 'no' },
    expect: {
      object: 'public.users.users_email_key', verdict: 'safe', evidence: 'data',
      rollback: ['ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);'],
      reason: 'no row violates it',
    },
  },
  {
    sql: 'ALTER TABLE users DROP CONSTRAINT users_email_key;',
    prior: PRIOR,
    state: 'applied',
    data: { duplicatesPresent: 'yes' },
    expect: {
      object: 'public.users.users_email_key', verdict: 'risky', evidence: 'data',
      rollback: ['ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);'],
      reason: 'Rows violate users_email_key',
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;',
    prior: PRIOR,
    state: 'applied',
    data: { orphansPresent: 'yes' },
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'risky', evidence: 'data',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
      ],
    },
  },
  {
    name: 'an unknown answer is risky',
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_fk;',
    prior: PRIOR,
    state: 'applied',
    data: { orphansPresent: 'unknown' },
    expect: {
      object: 'public.orders.orders_user_fk', verdict: 'risky', evidence: 'data',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
      ],
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_positive;',
    prior: PRIOR,
    state: 'applied',
    data: { checkViolated: 'no' },
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'safe', evidence: 'data',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK ((total > (0)::numeric));',
        'COMMENT ON CONSTRAINT orders_total_positive ON public.orders IS \'no free orders\';',
      ],
    },
  },
  {
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_positive;',
    prior: PRIOR,
    state: 'applied',
    data: { checkViolated: 'yes' },
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'risky', evidence: 'data',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK ((total > (0)::numeric));',
        'COMMENT ON CONSTRAINT orders_total_positive ON public.orders IS \'no free orders\';',
      ],
    },
  },
  {
    name: 'pending: no data check',
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_positive;',
    prior: PRIOR,
    state: 'pending',
    expect: {
      object: 'public.orders.orders_total_positive', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_total_positive CHECK ((total > (0)::numeric));',
        'COMMENT ON CONSTRAINT orders_total_positive ON public.orders IS \'no free orders\';',
      ],
    },
  },
]);
