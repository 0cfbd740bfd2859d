import { describe, expect, it } from 'vitest';
import { onlyChange } from '../../../../../test/helpers/analyze.js';

describe('add-index, drop-index', () => {
  it('drops a named index in its table\'s schema', () => {
    expect(onlyChange('CREATE UNIQUE INDEX users_email_key ON app.users (lower(email));')).toMatchObject({
      kind: 'add_index',
      object: 'app.users_email_key',
      verdict: 'safe',
      rollback: ['DROP INDEX app.users_email_key;'],
    });
  });

  it('drops a concurrently built index concurrently', () => {
    expect(onlyChange('CREATE INDEX CONCURRENTLY users_name_idx ON users (name);').rollback).toEqual([
      'DROP INDEX CONCURRENTLY public.users_name_idx;',
    ]);
  });

  it('is risky when Postgres picks the name or the index may have existed', () => {
    expect(onlyChange('CREATE INDEX ON users (name);')).toMatchObject({ verdict: 'risky', rollback: [] });
    expect(onlyChange('CREATE INDEX IF NOT EXISTS i ON users (name);').verdict).toBe('risky');
  });

  it('a dropped index can be rebuilt, but not without its definition', () => {
    const change = onlyChange('DROP INDEX CONCURRENTLY IF EXISTS users_name_idx;');
    expect(change).toMatchObject({ kind: 'drop_index', object: 'public.users_name_idx', verdict: 'risky', rollback: [] });
    expect(change.reason).toMatch(/held no data/);
  });
});
