import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { refreshMaterializedView } from './refresh-materialized-view.js';

const PRIOR = `CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;
CREATE MATERIALIZED VIEW empty_totals AS SELECT 1 AS n WITH NO DATA;
CREATE VIEW plain AS SELECT 1 AS n;`;

ruleTester(refreshMaterializedView, [
  {
    sql: 'REFRESH MATERIALIZED VIEW totals;',
    expect: {
      object: 'public.totals', verdict: 'safe', evidence: 'static',
      rollback: [],
      reason: 'recomputes derived rows',
    },
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY totals;',
    expect: { object: 'public.totals', verdict: 'safe', evidence: 'static', rollback: [] },
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW totals WITH NO DATA;',
    expect: {
      object: 'public.totals', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'whether it was populated is unknown',
    },
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW totals WITH NO DATA;',
    prior: PRIOR,
    expect: {
      object: 'public.totals', verdict: 'safe', evidence: 'catalog',
      rollback: ['REFRESH MATERIALIZED VIEW public.totals;'],
      reason: 'was populated before',
    },
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW empty_totals WITH NO DATA;',
    prior: PRIOR,
    expect: {
      object: 'public.empty_totals', verdict: 'safe', evidence: 'catalog',
      rollback: [],
      reason: 'was not populated before',
    },
  },
  {
    sql: 'REFRESH MATERIALIZED VIEW missing WITH NO DATA;',
    prior: PRIOR,
    expect: {
      object: 'public.missing', verdict: 'risky', evidence: 'catalog',
      rollback: [],
      reason: 'not in the prior schema',
    },
  },
  {
    name: 'a name the prior schema holds as a plain view: risky',
    sql: 'REFRESH MATERIALIZED VIEW plain WITH NO DATA;',
    prior: PRIOR,
    expect: { object: 'public.plain', verdict: 'risky', evidence: 'catalog', rollback: [] },
  },
]);
