/**
 * The configuration file's schema (migcheck.config.json / .jsonc, or the "migcheck" key of package.json).
 * Loaded only when a file is found: zod costs start-up time a run without a file does not need.
 */
import { z } from 'zod';
import { ruleDocs } from '../changes/registry.js';
import { FORMATS } from '../report/index.js';

export const RULE_LEVELS = ['off', 'warn', 'error'] as const;

const milliseconds = z.number().int().positive();

export const configSchema = z.strictObject({
  /** The JSON schema an editor may name; ignored. */
  $schema: z.string().optional(),
  failOn: z.enum(['risky', 'irreversible', 'none']).optional(),
  acceptRisk: z.boolean().optional(),
  /** Migrations not analysed (globs or paths, relative to the file's folder); still part of the history. */
  exclude: z.array(z.string().min(1)).optional(),
  format: z.enum(FORMATS).optional(),
  shadowUrl: z.string().min(1).optional(),
  probeTimeout: milliseconds.optional(),
  lockTimeout: milliseconds.optional(),
  knexfile: z.string().min(1).optional(),
  rules: z
    .record(z.string(), z.enum(RULE_LEVELS))
    .superRefine((rules, context) => {
      const known = new Set(ruleDocs().map((doc) => doc.id));
      for (const id of Object.keys(rules)) {
        if (!known.has(id)) context.addIssue({ code: 'custom', path: [id], message: `unknown rule "${id}" (\`migcheck explain\` lists them)` });
      }
    })
    .optional(),
});
