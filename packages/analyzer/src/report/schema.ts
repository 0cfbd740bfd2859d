/**
 * The JSON report: public contract (DESIGN.md, "Contract"). Validated by this zod schema, which the
 * analyzer exports. Extend it (new optional fields), never break it (rename or remove).
 */
import { z } from 'zod';
import { CHANGE_KINDS, EVIDENCE, VERDICTS } from '../changes/types.js';
import { VERIFICATION_PHASES } from '../plan/verification/types.js';

export const verdictSchema = z.enum(VERDICTS);
export const evidenceSchema = z.enum(EVIDENCE);
export const changeKindSchema = z.enum(CHANGE_KINDS);

export const changeReportSchema = z.object({
  kind: changeKindSchema,
  /** `schema.table[.column]`, unquoted. */
  object: z.string(),
  verdict: verdictSchema,
  /** The rule id (`migcheck explain <rule>`). */
  rule: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  reason: z.string(),
  evidence: evidenceSchema,
  /** The statements that undo this change, in the order they run. */
  rollback: z.array(z.string()),
  /** When the rollback runs relative to deploying the old application version. */
  timing: z.enum(['before-app', 'after-app', 'any']).optional(),
  /** For forward-fix-only changes: the options that remain. */
  options: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  /** Acknowledged with `-- migcheck:acknowledge <rule>`: reported, but does not fail the run. */
  acknowledged: z.object({ reason: z.string(), line: z.number().int() }).optional(),
  /** The live data check behind an evidence `data` verdict: the question, the answer, and how it was decided. */
  dataCheck: z
    .object({
      question: z.string(),
      answer: z.enum(['yes', 'no', 'unknown']),
      method: z.string(),
      ms: z.number().nonnegative(),
      detail: z.string(),
    })
    .optional(),
  /** Set when a change is undone by the rollback of another change of the same migration. */
  undoneBy: z.object({ line: z.number().int(), kind: changeKindSchema, object: z.string() }).optional(),
});

export const migrationReportSchema = z.object({
  path: z.string(),
  id: z.string(),
  layout: z.string(),
  state: z.enum(['pending', 'applied', 'unknown']),
  /** How the state was decided: the migration tool's tracking table, the catalog, or --state. */
  stateReason: z.string().optional(),
  verdict: verdictSchema,
  statements: z.number().int().nonnegative(),
  changes: z.array(changeReportSchema),
  /** The project's own down migration, when the layout has one. */
  down: z.string().optional(),
  /** How the migration (and, on the first migration of its folder, the folder) was read: goose ENVSUB, unread files. */
  notes: z.array(z.string()).optional(),
  /** The history replayed in the shadow database for the prior schema (catalog evidence). */
  history: z
    .object({
      /** How many earlier migrations the prior schema stands for. */
      replayed: z.number().int().nonnegative(),
      /** Served from the snapshot cache, without replaying. */
      cached: z.boolean().optional(),
      /**
       * Why the prior schema is unknown: a history migration that failed to apply (`path:line:col: server error`),
       * or a code migration that cannot be replayed. Every change of the migration then says so in its notes, and
       * nothing that depends on the prior schema is safe.
       */
      failure: z.string().optional(),
      /** The history migration that stopped the replay (its path). */
      failedMigration: z.string().optional(),
      /**
       * `failed`: the server refused it (an error in the history); `missing-extension`: the shadow server lacks an
       * extension it installs; `permission`: the shadow's sandbox role may not run it; `code`: a code migration.
       */
      cause: z.enum(['failed', 'missing-extension', 'permission', 'code']).optional(),
      /** What would help, e.g. a --shadow-url server that has the missing extension. */
      hint: z.string().optional(),
    })
    .optional(),
  /** verify: the migration and its rollbacks applied in the shadow database, and the schemas compared. */
  rehearsal: z
    .object({
      /** migcheck's rollback restored the schema exactly. */
      restored: z.boolean(),
      /** `transaction`: under savepoints; `database`: in copies (a statement cannot run in a transaction). */
      mode: z.enum(['transaction', 'database']).optional(),
      /** What differs after the rollback, one line per difference. */
      differences: z.array(z.string()),
      /** What stopped the rehearsal: the history, the migration itself, or a rollback statement. */
      failure: z.string().optional(),
      /** The rollback again, after seeding rows the new application could write. */
      seeded: z.object({ rows: z.array(z.string()), rejected: z.array(z.string()), failure: z.string().optional() }).optional(),
      /** The project's own down migration, after seeding rows. */
      down: z
        .object({
          path: z.string(),
          restored: z.boolean(),
          differences: z.array(z.string()),
          failure: z.string().optional(),
          /** Its irreversible changes: the data it destroys. */
          destroys: z.array(z.string()),
        })
        .optional(),
    })
    .optional(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('migcheck'), version: z.string() }),
  command: z.enum(['lint', 'plan', 'verify']),
  outcome: z.enum(['rollback', 'forward-fix-only']),
  verdict: verdictSchema,
  summary: z.object({
    migrations: z.number().int().nonnegative(),
    changes: z.number().int().nonnegative(),
    safe: z.number().int().nonnegative(),
    risky: z.number().int().nonnegative(),
    irreversible: z.number().int().nonnegative(),
    acknowledged: z.number().int().nonnegative(),
  }),
  migrations: z.array(migrationReportSchema),
  /**
   * The seed's "Acceptable risk?" for a risky rollback: a policy (--accept-risk), never a guess.
   * `needed`: the risky steps (backups first) run only once someone accepts the risk; else forward fix only.
   */
  acceptance: z.enum(['not-needed', 'needed', 'accepted']).optional(),
  /** The rollback script for every migration, newest first; null when the outcome is forward-fix-only. */
  rollback: z
    .object({
      sql: z.string(),
      /** False when a statement cannot run in a transaction block (… CONCURRENTLY). */
      transactional: z.boolean(),
      /** True when some change has no rollback statement (the script says which). */
      incomplete: z.boolean(),
      /**
       * False when a statement of the script blocks writes while it scans or rewrites a table (ACCESS EXCLUSIVE
       * or SHARE), or takes a lock migcheck does not know; `downtime` says which, with the alternative.
       */
      zeroDowntime: z.boolean().optional(),
      downtime: z.array(z.string()).optional(),
      /**
       * The script's verification queries (also in `sql`; `--format verify` prints them alone): each a `SELECT`
       * returning rows `(check, object, detail)` only when something is wrong. `before`: run before the script (values
       * a type revert would not keep); `backup`: right after `afterStatement` took a backup, before its source is
       * dropped; `after`: once the script ran. `unverified`: objects no query can check, and why.
       */
      verification: z
        .object({
          queries: z.array(
            z.object({ phase: z.enum(VERIFICATION_PHASES), check: z.string(), object: z.string(), sql: z.string(), afterStatement: z.string().optional() }),
          ),
          unverified: z.array(z.object({ object: z.string(), reason: z.string() })),
        })
        .optional(),
    })
    .nullable(),
});

export type ChangeReport = z.infer<typeof changeReportSchema>;
export type MigrationReport = z.infer<typeof migrationReportSchema>;
export type Report = z.infer<typeof reportSchema>;
