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
    name: 'with the prior schema: the type recreated without the value, in one guarded DO block',
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    prior: "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE diary (feeling mood);",
    expect: {
      object: 'public.mood', verdict: 'risky', evidence: 'catalog',
      rollback: [
        "DO $migcheck$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_enum WHERE enumtypid = (SELECT o.oid FROM pg_catalog.pg_type AS o JOIN pg_catalog.pg_namespace AS n ON n.oid = o.typnamespace WHERE n.nspname = 'public' AND o.typname = 'mood') AND enumlabel = 'happy') THEN ALTER TYPE public.mood RENAME TO mood_old; CREATE TYPE public.mood AS ENUM ('sad', 'ok'); ALTER TABLE public.diary ALTER COLUMN feeling TYPE public.mood USING feeling::text::public.mood; DROP TYPE public.mood_old; END IF; END $migcheck$;",
      ],
      reason: 'recreates the type',
    },
  },
  {
    name: 'with the prior schema and rows that use the value: the recipe, INCOMPLETE',
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    prior: "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE diary (feeling mood);",
    state: 'applied',
    data: { enumValueInUse: 'yes' },
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'data', rollback: [], reason: 'Rows use' },
  },
  {
    name: 'pending: no data check',
    sql: 'ALTER TYPE mood ADD VALUE \'happy\';',
    state: 'pending',
    expect: { object: 'public.mood', verdict: 'risky', evidence: 'static', rollback: [] },
  },
]);
