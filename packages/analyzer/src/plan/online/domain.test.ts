import { describe, expect, it } from 'vitest';
import { step } from '../../changes/rule.js';
import { loadParser } from '../../source/parse.js';
import { onlineSteps } from './index.js';
import { domainConstraint } from './domain.js';

await loadParser();

/** The statements and locks of a logical step's online form. */
const online = (sql: string) => onlineSteps(step(sql)).map(({ sql: text, lock, scans, transactional, blocksWrites }) => ({ sql: text, lock, scans, transactional, blocks: blocksWrites !== undefined }));

describe('domain', () => {
  it('drops IF EXISTS, adds NOT VALID then validates', () => {
    expect(online('ALTER DOMAIN public.email DROP CONSTRAINT has_at;')[0]!.sql).toBe('ALTER DOMAIN public.email DROP CONSTRAINT IF EXISTS has_at;');
    const [add, validate] = online("ALTER DOMAIN public.email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');");
    expect(add!.sql).toContain("NOT VALID; END IF;");
    expect(validate!.sql).toContain("AND conname = 'has_at' AND NOT convalidated) THEN ALTER DOMAIN public.email VALIDATE CONSTRAINT has_at; END IF;");
    expect(domainConstraint.kind).toContain('DOMAIN');
  });
});
