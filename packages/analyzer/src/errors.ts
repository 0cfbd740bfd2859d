/**
 * Errors a user can act on. Every one of them maps to exit code 2 in the CLI (usage error,
 * unreadable or unparsable input, unreachable database) and carries the place it is about.
 */
export class MigcheckError extends Error {
  override name = 'MigcheckError';
}

/** Bad input: a file that cannot be read or parsed. `path:line:col: message`. */
export class InputError extends MigcheckError {
  override name = 'InputError';
  constructor(
    readonly path: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${path}:${line}:${column}: ${detail}`);
  }
}

/** Bad arguments or options. */
export class UsageError extends MigcheckError {
  override name = 'UsageError';
}
