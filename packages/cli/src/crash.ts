/**
 * What the CLI prints when a run fails without a verdict: one line on stderr, exit code 2 (1 means "a change
 * reached --fail-on", so a crash must never look like it). A problem the user can act on (MigcheckError, a
 * system error such as EACCES) is said as it is; anything else is an internal error, whose stack trace is
 * printed only with MIGCHECK_DEBUG=1. Names and paths in the message come from untrusted files: control
 * characters, bidi and zero-width characters are escaped, so the line stays one line and cannot drive the terminal.
 */
import { MigcheckError, visible } from '@migcheck/analyzer';

export const CRASH_EXIT_CODE = 2;

export function crashReport(error: unknown, env: NodeJS.ProcessEnv): string {
  const debug = env.MIGCHECK_DEBUG === '1';
  const message = visible(messageOf(error));
  const line =
    error instanceof MigcheckError || isSystemError(error)
      ? `migcheck: ${message}`
      : `migcheck: internal error: ${message}${debug ? '' : ' (MIGCHECK_DEBUG=1 shows the stack trace)'}`;
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  return `${line}\n${stack}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return `non-error thrown: ${String(error)}`;
}

/** Node's errors from the operating system (EACCES, EPIPE, ENOSPC…): the user's environment, not a bug. */
function isSystemError(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof syscall === 'string';
}
