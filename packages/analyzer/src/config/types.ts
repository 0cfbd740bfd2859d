import type { FailOn } from '../report/build.js';
import type { Format } from '../report/index.js';

/**
 * What a rule's changes do to the exit code (never to their verdict, which the report shows as found):
 *  - error (the default): the change fails the run when its verdict reaches failOn;
 *  - warn: it fails the run only as a risky change would (an irreversible one fails with failOn "risky" only);
 *  - off: it never fails the run, like an acknowledged change.
 */
export type RuleLevel = 'off' | 'warn' | 'error';

export interface MigcheckConfig {
  failOn?: FailOn;
  acceptRisk?: boolean;
  /** Absolute paths or globs (resolved against the file's folder) of migrations not to analyse. */
  exclude?: string[];
  format?: Format;
  shadowUrl?: string;
  probeTimeout?: number;
  lockTimeout?: number;
  /** Absolute path (resolved against the file's folder). */
  knexfile?: string;
  rules?: Record<string, RuleLevel>;
}

export interface LoadedConfig {
  config: MigcheckConfig;
  /** The file it came from (a package.json when it is its "migcheck" key). */
  path: string;
}
