/**
 * --changed-since <ref>: the files changed since a git ref (committed on this branch since it left the ref,
 * plus staged, unstaged and untracked ones). git runs through execFile (no shell); the ref is checked before it
 * reaches git, and `--end-of-options` keeps it from ever being read as an option.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { UsageError, visible } from '@migcheck/analyzer';

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    throw new UsageError(`--changed-since: git ${args[0]} failed: ${visible(stderr || (error as Error).message)}`);
  }
}

/** A ref as a user types it (a branch, tag, commit, HEAD~2, origin/main), never something git could take for an option. */
function checkRef(ref: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(ref) || ref.length > 256) {
    throw new UsageError(`--changed-since takes a git ref (a branch, tag or commit), got "${visible(ref)}"`);
  }
}

/** Absolute paths of the files changed since `ref` in the repository that holds `cwd`. */
export function changedSince(ref: string, cwd: string): Set<string> {
  checkRef(ref);
  const root = git(['rev-parse', '--show-toplevel'], cwd).trim();
  git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], cwd);
  const lists = [
    git(['diff', '--name-only', '-z', '--end-of-options', `${ref}...HEAD`, '--'], root),
    git(['diff', '--name-only', '-z', 'HEAD', '--'], root),
    git(['ls-files', '--others', '--exclude-standard', '-z'], root),
  ];
  return new Set(lists.flatMap((list) => list.split('\0')).filter(Boolean).map((path) => resolve(root, path)));
}
