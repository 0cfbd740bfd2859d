import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { addEnumValue } from './add-enum-value.js';

ruleTester(addEnumValue, [
  {
    sql: 'ALTER TYPE mood ADD VALUE \'happy\' AFTER \'ok\';',
    expect: {
      object: 'public.mood', verdict: 'risky', evidence: 'static',
      rollback: [],
      reason: 'cannot drop an enum value',
    },
  },
  {
    sql: 'ALTER TYPE app.mood ADD VALUE IF NOT EXISTS \'happy\';',
    expect: { object: 'app.mood', verdict: 'risky', evidence: 'static', rollback: [] },
  },
  {
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    state: 'applied',
    data: { enumValueInUse: 'no' },
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'data', rollback: [], reason: 'No row uses' },
  },
  {
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    state: 'applied',
    data: { enumValueInUse: 'yes' },
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'data', rollback: [], reason: 'Rows use' },
  },
  {
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    state: 'applied',
    data: { enumValueInUse: 'unknown' },
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'data', rollback: [], reason: 'Could not answer' },
  },
  {
    name: 'pending: no data check',
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    state: 'pending',
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
