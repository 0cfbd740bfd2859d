import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { noInherit } from './no-inherit.js';

ruleTester(noInherit, [
  {
    sql: 'ALTER TABLE child NO INHERIT base;',
    expect: {
      object: 'public.child', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE public.child INHERIT public.base;'],
      reason: 'INHERIT restores the inheritance but not that',
    },
  },
  {
    sql: 'ALTER TABLE app."Child" NO INHERIT app."Base";',
    expect: {
      object: 'app.Child', verdict: 'risky', evidence: 'static',
      rollback: ['ALTER TABLE app."Child" INHERIT app."Base";'],
    },
  },
]);
