/**
 * The README's generated sections match the code: the rule table and seed wording (ruleDocs() of the rule
 * modules) and the sample output (the built CLI, run on the shop fixture). A stale README fails here: run `pnpm run docs`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { ruleDocs } from '../packages/analyzer/src/changes/registry.js';
import { README, readSection, renderRuleTable, renderSample, renderSeedRules, runSample } from '../scripts/docs.mjs';

const readme = readFileSync(README, 'utf8');

describe('README (pnpm run docs)', () => {
  it('lists every rule, with its examples and their verdicts', () => {
    expect(readSection(readme, 'rules')).toBe(renderRuleTable(ruleDocs()));
    expect(readSection(readme, 'seed-rules')).toBe(renderSeedRules(ruleDocs()));
  });

  it('shows the real output of migcheck lint on the shop fixture', () => {
    // The test server stands in for the embedded shadow: the output is the same, and no second server starts.
    const output = runSample(undefined, ['--shadow-url', inject('postgresUrl')]);
    expect(readSection(readme, 'sample-output')).toBe(renderSample(output));
  });
});
