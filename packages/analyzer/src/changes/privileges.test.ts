import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../source/parse.js';
import { parseAclItem, privilegeRollback, type GrantStatement } from './privileges.js';

beforeAll(loadParser);

const grant = (overrides: Partial<GrantStatement>): GrantStatement => ({
  isGrant: true,
  grantOptionOnly: false,
  withGrantOption: false,
  privileges: ['SELECT'],
  grantees: [{ sql: 'app', name: 'app' }],
  ...overrides,
});

describe('ACL items', () => {
  it('reads PUBLIC, grant options and quoted names as aclitemout prints them', () => {
    expect(parseAclItem('=r*w/owner')).toEqual({ grantee: '', grantor: 'owner', privileges: new Map([['r', true], ['w', false]]) });
    expect(parseAclItem('"we=ird ""x"""=U/"own/er"')).toMatchObject({ grantee: 'we=ird "x"', grantor: 'own/er' });
    expect(parseAclItem('broken')).toBeUndefined();
  });
});

describe('privilege rollbacks from the prior ACL', () => {
  const prior = { ownership: { owner: 'owner', privileges: ['app=r/owner', 'owner=arwdDxt/owner', 'app=w/other'] }, columns: { email: ['app=r/owner'] } };
  const on = 'TABLE public.users';
  const noColumns = () => [];

  it('a GRANT of what the role held already needs nothing; of what is new, a REVOKE of only that', () => {
    expect(privilegeRollback(grant({ privileges: ['SELECT'] }), prior, on, noColumns)).toEqual({ statements: [] });
    expect(privilegeRollback(grant({ privileges: ['SELECT', 'INSERT'] }), prior, on, noColumns)).toEqual({ statements: ['REVOKE INSERT ON TABLE public.users FROM app;'] });
  });

  it('REVOKE ALL gives back exactly what the owner had granted, columns included (another grantor\'s grant is untouched)', () => {
    expect(privilegeRollback(grant({ isGrant: false, privileges: 'ALL' }), prior, on, noColumns)).toEqual({
      statements: ['GRANT SELECT ON TABLE public.users TO app;', 'GRANT SELECT (email) ON TABLE public.users TO app;'],
    });
  });

  it('REVOKE GRANT OPTION FOR gives back only the option', () => {
    const withOption = { ownership: { owner: 'owner', privileges: ['app=r*/owner'] } };
    expect(privilegeRollback(grant({ isGrant: false, grantOptionOnly: true }), withOption, on, noColumns)).toEqual({
      statements: ['GRANT SELECT ON TABLE public.users TO app WITH GRANT OPTION;'],
    });
  });

  it('the migration\'s own role, or a role that passed its grant option on, cannot be restored: unknown', () => {
    expect(privilegeRollback(grant({ grantees: [{ sql: 'CURRENT_USER', name: undefined }] }), prior, on, noColumns)).toHaveProperty('unknown');
    const passedOn = { ownership: { owner: 'owner', privileges: ['app=r*/owner', 'b=r/app'] } };
    expect(privilegeRollback(grant({ isGrant: false }), passedOn, on, noColumns)).toHaveProperty('unknown');
  });
});
