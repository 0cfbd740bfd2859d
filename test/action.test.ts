/**
 * The GitHub Action (action.yml) cannot run here, so its shell steps run as GitHub would run them: each `run:` of
 * the composite action in `bash --noprofile --norc -eo pipefail`, with its `env:` expressions evaluated, and
 * GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_WORKSPACE and RUNNER_TEMP set. The `uses:` steps (setup-node, cache,
 * upload-sarif) are GitHub's, and the install step is replaced by the built CLI on PATH. The repository is a temp
 * git repository holding fixtures/shop, whose last two migrations a pull request adds since the base commit: the
 * type change needs the prior schema (the history replayed in the shadow), the dropped column fails the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}

interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as Action;
const work = mkdtempSync(join(tmpdir(), 'migcheck-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gitEnv = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: work };

const ADDED = ['000004_widen_age.up.sql', '000005_drop_phone.up.sql'];

/** A repository whose base commit holds the shop's first three migrations; HEAD adds the type change and the drop. */
function repository(name: string): { dir: string; base: string } {
  const dir = join(work, name);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
  cpSync(join(repoRoot, 'fixtures/shop'), join(dir, 'shop'), { recursive: true });
  for (const file of ADDED) rmSync(join(dir, 'shop/migrations', file));
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  const base = git('rev-parse', 'HEAD');
  for (const file of ADDED) cpSync(join(repoRoot, 'fixtures/shop/migrations', file), join(dir, 'shop/migrations', file));
  git('add', '.');
  git('commit', '-q', '-m', 'widen age, drop phone');
  return { dir, base };
}

/** The built CLI as `migcheck` on PATH, where the install step would put the npm package's. */
function cliOnPath(): string {
  const bin = join(work, 'bin');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    writeFileSync(join(bin, 'migcheck'), `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'packages/cli/dist/main.js')}" "$@"\n`);
    chmodSync(join(bin, 'migcheck'), 0o755);
  }
  return bin;
}

interface Run {
  /** Exit status of each step run, by id (or name). */
  statuses: Record<string, number>;
  stdout: string;
  stderr: string;
  outputs: Record<string, Record<string, string>>;
  summary: string;
  runnerTemp: string;
}

/** The few expressions action.yml uses, evaluated the way the runner would. */
function evaluate(expression: string, inputs: Record<string, string>, outputs: Run['outputs'], runnerTemp: string): string {
  return expression.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, inner: string) => {
    let match: RegExpMatchArray | null;
    if ((match = inner.match(/^inputs\.([\w-]+)$/))) return inputs[match[1]!] ?? '';
    if ((match = inner.match(/^steps\.([\w-]+)\.outputs\.([\w-]+)$/))) return outputs[match[1]!]?.[match[2]!] ?? '';
    if (inner === 'runner.temp') return runnerTemp;
    throw new Error(`expression not supported by this test: ${inner}`);
  });
}

/** Runs the action's shell steps in `cwd`, with `given` inputs over the defaults (which would use github.*). */
function runAction(cwd: string, given: Record<string, string>): Run {
  const runnerTemp = mkdtempSync(join(work, 'runner-'));
  const summaryFile = join(runnerTemp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const inputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? ''])), ...given };
  const run: Run = { statuses: {}, stdout: '', stderr: '', outputs: {}, summary: '', runnerTemp };
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    if (!step.run || step.id === 'install') continue;
    const condition = step.if?.trim();
    if (condition && condition !== 'always()') throw new Error(`condition not supported by this test: ${condition}`);
    if (failed && condition !== 'always()') continue;
    expect(step.shell).toBe('bash');
    const key = step.id ?? step.name ?? String(index);
    const outputFile = join(runnerTemp, `output-${index}`);
    writeFileSync(outputFile, '');
    const script = join(runnerTemp, `step-${index}.sh`);
    writeFileSync(script, step.run);
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value, inputs, run.outputs, runnerTemp)]));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...gitEnv,
        NO_COLOR: '1',
        PATH: `${cliOnPath()}:${process.env.PATH ?? ''}`,
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_WORKSPACE: cwd,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_OUTPUT: outputFile,
        RUNNER_TEMP: runnerTemp,
        ...env,
      },
    });
    run.statuses[key] = result.status ?? -1;
    run.stdout += result.stdout;
    run.stderr += result.stderr;
    run.outputs[key] = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    if (result.status !== 0) failed = true;
  }
  run.summary = readFileSync(summaryFile, 'utf8');
  return run;
}

describe('the GitHub Action, its shell steps run locally', () => {
  it('lints only the changed migrations: annotations on their lines, SARIF, the summary, and a failing verdict', () => {
    const { dir, base } = repository('changed');
    const run = runAction(dir, { path: 'shop/migrations', 'base-ref': base, 'shadow-url': inject('postgresUrl') });
    expect(run.stderr).not.toMatch(/error|Error/);

    // An annotation on the line of each change that is not safe, and nothing of the unchanged migrations. The type
    // change is safe (no annotation): its prior type was read from the history, replayed in the shadow.
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toEqual([
      expect.stringMatching(/^::error file=shop\/migrations\/000005_drop_phone\.up\.sql,line=2,col=1,title=migcheck drop-column%3A irreversible::/),
    ]);

    const sarifFile = run.outputs.lint!.sarif!;
    expect(sarifFile).toBe(join(run.runnerTemp, 'migcheck-report', 'migcheck.sarif'));
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.map((result) => [result.ruleId, result.level, result.locations[0]!.physicalLocation.artifactLocation.uri, result.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['alter-column-type', 'note', 'shop/migrations/000004_widen_age.up.sql', 2],
      ['drop-column', 'error', 'shop/migrations/000005_drop_phone.up.sql', 2],
    ]);

    expect(run.summary).toContain('000005_drop_phone.up.sql');
    expect(run.summary).toMatch(/irreversible/i);
    expect(run.summary).not.toContain('000003_create_orders');

    // The history was still the whole folder: replayed in the shadow and cached where actions/cache keeps it.
    expect(existsSync(join(run.runnerTemp, 'migcheck-cache'))).toBe(true);
    expect(run.outputs.lint!.status).toBe('1');
    expect(run.statuses.verdict).toBe(1);
  });

  it('with no migration changed: a line in the summary, no SARIF to upload, and success', () => {
    const { dir } = repository('unchanged');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const run = runAction(dir, { path: 'shop/migrations', 'base-ref': head, 'shadow-url': inject('postgresUrl') });
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
    expect(run.summary).toContain('no migration in `shop/migrations` changed since');
    expect(run.outputs.lint!.sarif).toBeUndefined();
    expect(run.statuses.verdict).toBe(0);
  });

  it('fails with exit 2 and says so in the summary when migcheck cannot lint', () => {
    const { dir } = repository('bad-ref');
    const run = runAction(dir, { path: 'shop/migrations', 'base-ref': 'no-such-ref', 'shadow-url': inject('postgresUrl') });
    expect(run.stderr).toMatch(/^migcheck: .*no-such-ref/m);
    expect(run.summary).toContain('could not lint');
    expect(run.statuses.verdict).toBe(2);
  });

  it('passes inputs to the shell only through env (no expression inside a script), and installs its own version', () => {
    for (const step of action.runs.steps) if (step.run) expect(step.run).not.toContain('${{');
    const cli = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(action.inputs.version!.default).toBe(cli.version);
    expect(action.runs.steps.map((step) => step.uses?.replace(/@.*/, '')).filter(Boolean)).toEqual([
      'actions/setup-node',
      'actions/cache',
      'github/codeql-action/upload-sarif',
    ]);
  });
});
