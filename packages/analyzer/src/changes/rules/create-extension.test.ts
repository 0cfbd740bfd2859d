import { ruleTester } from '../../../../../test/helpers/rule-tester.js';
import { createExtension } from './create-extension.js';

const PRIOR = 'CREATE EXTENSION cube;';

const EMPTY = 'SELECT 1;';

ruleTester(createExtension, [
  {
    sql: 'CREATE EXTENSION earthdistance CASCADE;',
    expect: {
      object: 'earthdistance', verdict: 'risky', evidence: 'static',
      rollback: ['DROP EXTENSION earthdistance;'],
      reason: 'which ones it installed is unknown',
    },
  },
  {
    name: 'with the prior schema: the extensions CASCADE installed are dropped after it',
    sql: 'CREATE EXTENSION earthdistance CASCADE;',
    prior: EMPTY,
    expect: {
      object: 'earthdistance', verdict: 'safe', evidence: 'catalog',
      rollback: [
        'DROP EXTENSION earthdistance;',
        'DROP EXTENSION cube;',
      ],
      reason: 'that CASCADE installed with it',
    },
  },
  {
    name: 'a required extension that was there before stays',
    sql: 'CREATE EXTENSION earthdistance CASCADE;',
    prior: PRIOR,
    expect: {
      object: 'earthdistance', verdict: 'safe', evidence: 'catalog',
      rollback: ['DROP EXTENSION earthdistance;'],
    },
  },
  {
    sql: 'CREATE EXTENSION IF NOT EXISTS cube CASCADE;',
    prior: PRIOR,
    expect: { object: 'cube', verdict: 'safe', evidence: 'catalog', rollback: [], reason: 'existed before' },
  },
  {
    name: 'an extension whose requirements migcheck does not know: risky',
    sql: 'CREATE EXTENSION some_vendor_extension CASCADE;',
    prior: EMPTY,
    expect: {
      object: 'some_vendor_extension', verdict: 'risky', evidence: 'catalog',
      rollback: ['DROP EXTENSION some_vendor_extension;'],
      reason: 'not known to migcheck',
    },
  },
  {
    sql: 'CREATE EXTENSION pgcrypto CASCADE;',
    prior: EMPTY,
    expect: { object: 'pgcrypto', verdict: 'safe', evidence: 'catalog', rollback: ['DROP EXTENSION pgcrypto;'] },
  },
]);
