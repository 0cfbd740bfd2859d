/** Types of scripts/docs.mjs, for test/docs.test.ts. */
import type { RuleDoc } from '../packages/analyzer/src/changes/rule.js';

export const ROOT: string;
export const README: string;
export const SAMPLE_ARGS: string[];
export function renderRuleTable(docs: RuleDoc[]): string;
export function renderSeedRules(docs: RuleDoc[]): string;
export function renderSample(output: string): string;
export function readSection(text: string, name: string): string;
export function replaceSection(text: string, name: string, body: string): string;
export function runSample(cli?: string, extra?: string[]): string;
export function renderSections(docs: RuleDoc[], sampleOutput: string): Record<'rules' | 'seed-rules' | 'sample-output', string>;
