/**
 * Every rule documents itself with examples, each example says what the analyzer really answers, and every rule
 * module has its case table next to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesOf } from '../../../../test/helpers/analyze.js';
import { ruleDocs } from './registry.js';

// A migration written as code has no SQL to show: the code-migration rule is reached from discovery, not SQL.
const WITHOUT_SQL = new Set(['code-migration']);

describe('rule examples (migcheck explain, README rule table)', () => {
  it('every rule that recognises SQL has at least one example', () => {
    const missing = ruleDocs().filter((doc) => !WITHOUT_SQL.has(doc.id) && (doc.examples ?? []).length === 0);
    expect(missing.map((doc) => doc.id)).toEqual([]);
  });

  const examples = ruleDocs().flatMap((doc) => (doc.examples ?? []).map((example) => [doc.id, example.sql, example.verdict] as const));
  it.each(examples)('%s: %s is %s from the statement alone', (id, sql, verdict) => {
    const changes = changesOf(sql);
    expect(changes.map((change) => [change.rule, change.verdict])).toEqual([[id, verdict]]);
  });
});

describe('rule case tables', () => {
  const dir = join(import.meta.dirname, 'rules');
  const modules = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));

  it.each(modules)('%s has a case table next to it (ruleTester)', (module) => {
    const table = join(dir, module.replace(/\.ts$/, '.test.ts'));
    expect(existsSync(table), `${table} is missing`).toBe(true);
    expect(readFileSync(table, 'utf8')).toMatch(/\bruleTester\(/);
  });
});
