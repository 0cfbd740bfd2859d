#!/usr/bin/env node
/**
 * The README's generated sections, from the code: the rule table (ruleDocs(): every rule with its examples and
 * the verdict each gets from the statement alone) and the sample output (`migcheck lint fixtures/shop/migrations`,
 * run for real). Each lives between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers.
 *
 *   node scripts/docs.mjs           rewrite the README sections (pnpm run docs: builds first; plain `pnpm docs` is pnpm's own command)
 *   node scripts/docs.mjs --check   exit 1, naming the stale sections, when the README is not up to date
 *
 * test/docs.test.ts runs the same rendering against the source and fails when the README is stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const README = join(ROOT, 'README.md');
/** The sample: the example project's migrations, linted as a reader would run it. */
export const SAMPLE_ARGS = ['lint', 'fixtures/shop/migrations', '--no-color'];

/** SQL in a Markdown table cell: in backticks, pipes escaped (GitHub splits cells on them even inside code). */
function code(sql) {
  if (sql.includes('`')) throw new Error(`an example holds a backtick, which a table cell cannot show: ${sql}`);
  return `\`${sql.replace(/\|/g, '\\|')}\``;
}

/** The rule table, one row per rule, in the order the registry asks them. */
export function renderRuleTable(docs) {
  const rows = docs.map((doc) => {
    const examples = doc.examples ?? [];
    const sql = examples.length > 0 ? examples.map((example) => code(example.sql)).join('<br>') : '(no SQL: a migration written as code)';
    const verdicts = examples.length > 0 ? examples.map((example) => example.verdict).join('<br>') : '—';
    return `| \`${doc.id}\` | ${doc.title.replace(/\|/g, '\\|')} | ${sql} | ${verdicts} |`;
  });
  return ['| rule | change | for example | verdict from the statement alone |', '|---|---|---|---|', ...rows].join('\n');
}

/** The seed's wording (Part 4), for the rules it covers. */
export function renderSeedRules(docs) {
  return docs
    .filter((doc) => doc.seed)
    .map((doc) => `- \`${doc.id}\`: ${doc.seed}`)
    .join('\n');
}

export function renderSample(output) {
  return ['```', `$ migcheck ${SAMPLE_ARGS.filter((arg) => arg !== '--no-color').join(' ')}`, output.trimEnd(), '```'].join('\n');
}

const marker = (name) => [`<!-- generated:${name} -->`, `<!-- /generated:${name} -->`];

/** The text between a section's markers (without the newlines next to them). */
export function readSection(text, name) {
  const [start, end] = marker(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  return text.slice(from + start.length, to).replace(/^\n/, '').replace(/\n$/, '');
}

export function replaceSection(text, name, body) {
  const [start, end] = marker(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/**
 * The CLI's real output on the shop fixture, from a fresh snapshot cache (a cached replay says "(from the cache)").
 * `cli` is the entry point to run; `extra` adds options (the test passes --shadow-url to use its own server).
 */
export function runSample(cli = join(ROOT, 'packages/cli/dist/main.js'), extra = []) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'migcheck-docs-'));
  try {
    const result = spawnSync(process.execPath, [cli, ...SAMPLE_ARGS, '--quiet', '--cache-dir', cacheDir, ...extra], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    // Exit 1 is the sample's point: its last migration drops a column.
    if (result.status !== 0 && result.status !== 1) throw new Error(`migcheck lint failed (exit ${result.status}): ${result.stderr}`);
    return result.stdout;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Every generated section, rendered. */
export function renderSections(docs, sampleOutput) {
  return { rules: renderRuleTable(docs), 'seed-rules': renderSeedRules(docs), 'sample-output': renderSample(sampleOutput) };
}

async function main() {
  const check = process.argv.includes('--check');
  const { ruleDocs } = await import(join(ROOT, 'packages/analyzer/dist/index.js'));
  const sections = renderSections(ruleDocs(), runSample());
  const before = readFileSync(README, 'utf8');
  let after = before;
  for (const [name, body] of Object.entries(sections)) after = replaceSection(after, name, body);
  if (check) {
    const stale = Object.entries(sections).filter(([name, body]) => readSection(before, name) !== body).map(([name]) => name);
    if (stale.length > 0) {
      console.error(`README.md is stale (${stale.join(', ')}): run pnpm run docs`);
      process.exit(1);
    }
    return;
  }
  if (after !== before) writeFileSync(README, after);
  console.log(after === before ? 'README.md is up to date' : 'README.md rewritten');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
