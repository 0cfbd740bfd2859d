/**
 * A crash of any kind exits 2 with one line on stderr (`migcheck: …`), the stack trace only with
 * MIGCHECK_DEBUG=1; never exit 1, which says "a change reached --fail-on". The faults are induced in the built
 * CLI by a module preloaded with `node --import`: a throw inside the command, an unhandled rejection, an
 * 'error' event nobody listens to, and a non-Error thrown from a timer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const cliPath = resolve(repoRoot, 'packages/cli/dist/main.js');
const shop = 'fixtures/shop/migrations/000002_add_email.up.sql';

/** Runs `migcheck lint` with a preloaded module that induces `fault`. */
function withFault(fault: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'migcheck-crash-'));
  const preload = join(dir, 'fault.mjs');
  writeFileSync(preload, fault);
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, cliPath, 'lint', shop, '--no-shadow'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', MIGCHECK_DEBUG: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fault set off while the command runs (when it writes its report), after the CLI has started. */
function atFirstOutput(fault: string): string {
  return `const write = process.stdout.write.bind(process.stdout);\nprocess.stdout.write = (...args) => { ${fault} return write(...args); };`;
}

const faults: [string, string, RegExp][] = [
  [
    'an exception inside the command (writing the report throws)',
    `process.stdout.write = () => { throw new TypeError('induced: the report cannot be written'); };`,
    /^migcheck: internal error: induced: the report cannot be written \(MIGCHECK_DEBUG=1 shows the stack trace\)\n$/,
  ],
  [
    'an unhandled rejection',
    atFirstOutput(`Promise.reject(new Error('induced rejection'));`),
    /^migcheck: internal error: induced rejection \(MIGCHECK_DEBUG=1/,
  ],
  [
    "an 'error' event nobody listens to",
    `import { EventEmitter } from 'node:events';\n${atFirstOutput(`setImmediate(() => new EventEmitter().emit('error', new Error('induced error event')));`)}`,
    /^migcheck: internal error: induced error event/,
  ],
  [
    'a string thrown from a timer',
    atFirstOutput(`setImmediate(() => { throw 'induced\\nsecond line'; });`),
    /^migcheck: internal error: (non-error thrown: )?induced\\nsecond line/,
  ],
];

describe('a crash exits 2 with one line', () => {
  it.each(faults)('%s', (_what, fault, line) => {
    const run = withFault(fault);
    expect(run.stderr).toMatch(line);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(2);
  });

  it('shows the stack trace with MIGCHECK_DEBUG=1, still exit 2', () => {
    const run = withFault(faults[0]![1], { MIGCHECK_DEBUG: '1' });
    expect(run.stderr.split('\n')[0]).toBe('migcheck: internal error: induced: the report cannot be written');
    expect(run.stderr).toMatch(/\n\s+at /);
    expect(run.status).toBe(2);
  });

  it('says a system error as it is, one line, control characters escaped', () => {
    const fault = `process.stdout.write = () => { throw Object.assign(new Error('EPIPE: broken pipe, write \\u001b[31mred'), { code: 'EPIPE', syscall: 'write' }); };`;
    const run = withFault(fault);
    expect(run.stderr).toBe('migcheck: EPIPE: broken pipe, write \\x1B[31mred\n');
    expect(run.status).toBe(2);
  });
});
