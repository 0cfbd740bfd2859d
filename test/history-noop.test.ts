/**
 * Statements that may be no-ops (issue 9): without the prior schema, migcheck cannot tell whether the statement
 * changed anything, so an inverse statement may change what the migration left as it was. Such a change is at
 * least risky, and its rollback is not written (INCOMPLETE, with the recipe in a note); with the prior schema,
 * it restores exactly the prior state. (ENABLE/DISABLE toggles: alter-object's own tests.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../packages/analyzer/src/catalog/snapshot.js';
import { analyzeSql, onlyChange } from './helpers/analyze.js';
import { priorOf } from './helpers/prior.js';

let prior: SchemaSnapshot;
beforeAll(async () => {
  prior = await priorOf(`
    CREATE TABLE t (id int PRIMARY KEY, required text NOT NULL, optional text);
  `);
});

describe('a statement that may be a no-op, without the prior schema', () => {
  it.each([
    ['ALTER TABLE t ALTER COLUMN optional SET NOT NULL;', /may already have been NOT NULL/],
    ['ALTER TABLE t ALTER COLUMN required DROP NOT NULL;', /may already have been nullable/],
  ])('%s is risky and its rollback is not guessed', (sql, why) => {
    const change = onlyChange(sql);
    expect(change.verdict).toBe('risky');
    expect(change.rollback).toEqual([]);
    expect(change.reason).toMatch(why);
    const [analyzed] = analyzeSql(sql);
    expect(analyzed!.assessment.notes?.join(' ')).toMatch(/ALTER TABLE public\.t /);
  });
});

describe('the same statements with the prior schema restore exactly the prior state', () => {
  it.each([
    ['ALTER TABLE t ALTER COLUMN optional SET NOT NULL;', ['ALTER TABLE public.t ALTER COLUMN optional DROP NOT NULL;']],
    ['ALTER TABLE t ALTER COLUMN required SET NOT NULL;', []],
    ['ALTER TABLE t ALTER COLUMN required DROP NOT NULL;', ['ALTER TABLE public.t ALTER COLUMN required SET NOT NULL;']],
    ['ALTER TABLE t ALTER COLUMN optional DROP NOT NULL;', []],
  ])('%s', (sql, rollback) => {
    const change = onlyChange(sql, { prior });
    expect(change).toMatchObject({ verdict: 'safe', evidence: 'catalog', rollback });
  });

  it('DROP NOT NULL on a column that was already nullable needs no rollback, whatever the data says', () => {
    const data = { question: 'Does optional hold NULLs?', finding: { answer: 'no' as const, method: 'exact' as const, ms: 1, detail: '' } };
    expect(onlyChange('ALTER TABLE t ALTER COLUMN optional DROP NOT NULL;', { prior, data })).toMatchObject({ verdict: 'safe', rollback: [] });
    expect(onlyChange('ALTER TABLE t ALTER COLUMN required DROP NOT NULL;', { data })).toMatchObject({ verdict: 'risky', rollback: [] });
  });
});

describe('a constraint named like a column is another object', () => {
  it('SET DEFAULT on the column still reads the prior schema after ADD CONSTRAINT of the same name', async () => {
    const withLevel = await priorOf('CREATE TABLE c (id int, schema_level int DEFAULT 1, CONSTRAINT schema_level CHECK (schema_level = 1));');
    const changes = analyzeSql('ALTER TABLE c DROP CONSTRAINT schema_level, ADD CONSTRAINT schema_level CHECK (schema_level = 2), ALTER COLUMN schema_level SET DEFAULT 2;', { prior: withLevel });
    expect(changes[2]!.assessment).toMatchObject({ verdict: 'safe', evidence: 'catalog' });
    expect(changes[2]!.assessment.rollback.map((step) => step.sql)).toEqual(['ALTER TABLE public.c ALTER COLUMN schema_level SET DEFAULT 1;']);
  });
});
