/**
 * A rule's facts (`readsPrior`, `probes`) say what its code does: lint replays the history for the rules that read
 * the prior schema, and a data check is given only the probes its rule lists. Read from each rule module's code
 * (comments and strings left out), so that a fact cannot drift from the code it describes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBES } from '../probes/index.js';
import { RULES } from './registry.js';

const RULES_DIR = join(import.meta.dirname, 'rules');

/** Rule id → the code of the module that defines it, without comments and string literals. */
function ruleCode(): Map<string, string> {
  const code = new Map<string, string>();
  for (const file of readdirSync(RULES_DIR).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
    const text = readFileSync(join(RULES_DIR, file), 'utf8');
    const stripped = text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/`(?:\\[\s\S]|\$\{[^}]*\}|[^`\\])*`/g, '``')
      .replace(/'(?:\\.|[^'\\\n])*'/g, (literal) => (/^'[a-z][a-zA-Z]*'$/.test(literal) ? literal : "''"));
    for (const match of text.matchAll(/^\s+id: '([a-z-]+)',$/gm)) code.set(match[1]!, stripped);
  }
  return code;
}

describe('rule facts', () => {
  const code = ruleCode();

  it('finds the module of every rule', () => {
    expect(RULES.filter((rule) => !code.has(rule.id)).map((rule) => rule.id)).toEqual([]);
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s: readsPrior says whether its code reads the prior schema', (id, rule) => {
    expect(/\bprior\b/.test(code.get(id)!), `${id} reads the prior schema`).toBe(rule.readsPrior);
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s: probes lists exactly the probes its data check asks', (id, rule) => {
    const asked = [...new Set([...code.get(id)!.matchAll(/\bprobes\.(\w+)/g)].map((match) => match[1]!))].sort();
    expect([...(rule.probes ?? [])].sort()).toEqual(asked);
    for (const probe of asked) expect(Object.keys(PROBES)).toContain(probe);
    expect(rule.dataCheck !== undefined, `${id} has a data check`).toBe(asked.length > 0);
  });
});
