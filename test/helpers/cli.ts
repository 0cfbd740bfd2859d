/** Runs the built migcheck CLI as a user would: a separate process, real files, exit codes. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
const cliPath = resolve(repoRoot, 'packages/cli/dist/main.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function migcheck(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`pnpm run build\` first (\`pnpm test\` does)`);
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
