import { describe, expect, it } from 'vitest';
import { changesOf, onlyChange } from '../../../../../test/helpers/analyze.js';

describe('data-change', () => {
  it.each([
    ["UPDATE users SET email = lower(email) WHERE email <> lower(email);", 'overwrites email'],
    ['DELETE FROM sessions WHERE expires_at < now();', 'removes rows'],
    ['TRUNCATE audit_log;', 'removes rows'],
    ['INSERT INTO t (id, v) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = 2;', 'overwrites or removes'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;', 'overwrites or removes'],
  ])('%s is irreversible (forward fix only)', (sql, words) => {
    const change = onlyChange(sql);
    expect(change).toMatchObject({ kind: 'data_change', verdict: 'irreversible', rollback: [] });
    expect(change.reason).toContain(words);
  });

  it('INSERT and COPY FROM add rows that stay: risky', () => {
    expect(onlyChange("INSERT INTO settings (key, value) VALUES ('theme', 'dark');").verdict).toBe('risky');
    expect(onlyChange('INSERT INTO archive SELECT * FROM orders;').verdict).toBe('risky');
    expect(onlyChange("COPY settings FROM '/tmp/settings.csv';").verdict).toBe('risky');
  });

  it('COPY TO and plain SELECTs change nothing', () => {
    expect(changesOf("COPY settings TO STDOUT; SELECT * FROM users; SELECT 1;")).toEqual([]);
  });

  it('an UPDATE is undone only when every column it sets was added by the migration', () => {
    const changes = changesOf('ALTER TABLE users ADD COLUMN a int; UPDATE users SET a = 1, b = 2;');
    expect(changes[1]!.verdict).toBe('irreversible');
  });
});

describe('procedural-code and unknown-statement', () => {
  it.each([
    ['DO $$ BEGIN PERFORM 1; END $$;', '(DO block)'],
    ['CALL refresh_all();', '(CALL)'],
    ["SELECT diesel_manage_updated_at('users');", '(SELECT)'],
    ['EXPLAIN ANALYZE SELECT refresh_all();', '(EXPLAIN ANALYZE)'],
    ["COPY (SELECT nextval('s')) TO STDOUT;", '(COPY)'],
  ])('%s is risky: migcheck cannot see into it', (sql, object) => {
    expect(onlyChange(sql)).toMatchObject({ kind: 'unknown', rule: 'procedural-code', object, verdict: 'risky' });
  });

  it('anything unrecognised is risky, never safe', () => {
    expect(onlyChange('CREATE DATABASE other;')).toMatchObject({ kind: 'unknown', rule: 'unknown-statement', verdict: 'risky' });
    expect(onlyChange("ALTER TYPE address DROP ATTRIBUTE zip;")).toMatchObject({ kind: 'unknown', rule: 'unknown-statement', verdict: 'risky' });
    expect(onlyChange('DECLARE c CURSOR FOR SELECT * FROM users;')).toMatchObject({ kind: 'unknown', verdict: 'risky' });
  });

  it('statements that leave nothing behind produce no change', () => {
    expect(changesOf("BEGIN; SET lock_timeout = '5s'; ANALYZE users; VACUUM users; REINDEX TABLE users; COMMIT;")).toEqual([]);
  });
});
