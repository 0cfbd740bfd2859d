/**
 * The verification of a rollback script: per object a rollback step restores or drops, queries that return a row
 * `(check, object, detail)` only when it is not as it was before the migrations (./types.ts), or a note that no
 * query can tell (its prior schema is unknown: never a query that would pass for want of knowing better).
 *
 * One module per object kind says what its changes claim; when several migrations touch an object, the oldest
 * change's claim stands (the rollback undoes them all, newest first, and leaves what the oldest found).
 */
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import type { AnalyzedChange, AnalyzedMigration } from '../analyze.js';
import { backupClaims } from './backup.js';
import type { ChangeToVerify, ClaimsOf } from './claim.js';
import { columnClaims } from './column.js';
import { constraintClaims } from './constraint.js';
import { indexClaims } from './indexes.js';
import { truncationClaims } from './truncation.js';
import type { Claim, Unverified, Verification, VerificationQuery } from './types.js';
import { sqlComment } from '../../sql/comment.js';

export { VERIFICATION_PHASES, type Unverified, type Verification, type VerificationPhase, type VerificationQuery } from './types.js';

const KINDS: readonly ClaimsOf[] = [columnClaims, indexClaims, constraintClaims, truncationClaims, backupClaims];

const PRIOR_UNKNOWN = 'the schema before its migration is unknown (static analysis only, or its history could not be replayed), so no query can say what to restore';
const PRIOR_OUTDATED = 'an earlier statement of its migration changed it, so the schema read before the migration is not the state this step restores';

/** The verification of the rollback of `migrations` (oldest first, as the commands give them). */
export function verificationOf(migrations: readonly AnalyzedMigration[]): Verification {
  const claimed = new Set<string>();
  const queries: VerificationQuery[] = [];
  const unverified: Unverified[] = [];
  const take = (claim: Claim) => {
    if (claim.key !== undefined) {
      if (claimed.has(claim.key)) return;
      claimed.add(claim.key);
    }
    if ('query' in claim) queries.push(claim.query);
    else unverified.push(claim.unverified);
  };
  for (const migration of migrations) {
    for (const item of migration.changes) {
      if (!verified(item)) continue;
      (item.verificationClaims ?? claimsOfChange(item, migration.prior)).forEach(take);
    }
  }
  return { queries, unverified };
}

/**
 * The migration with each change's claims computed now, from its prior schema, and without the schema: a `verify`
 * of a long history keeps every migration's analysis until its report, and hundreds of prior schemas with them.
 */
export function withVerificationClaims(migration: AnalyzedMigration): AnalyzedMigration {
  const { prior, ...withoutPrior } = migration;
  const changes = migration.changes.map((item) => (verified(item) ? { ...item, verificationClaims: claimsOfChange(item, prior) } : item));
  return { ...withoutPrior, changes };
}

/** Only a change with rollback steps of its own leaves something to verify. */
function verified(item: AnalyzedChange): boolean {
  return !item.undoneBy && item.assessment.rollback.length > 0;
}

function claimsOfChange(item: AnalyzedChange, prior: SchemaSnapshot | undefined): Claim[] {
  const change: ChangeToVerify = {
    item,
    prior: item.priorOutdated ? undefined : prior,
    priorUnknown: item.priorOutdated ? PRIOR_OUTDATED : PRIOR_UNKNOWN,
  };
  const answers = KINDS.map((claims) => claims(change)).filter((answer) => answer !== undefined);
  if (answers.length === 0) {
    return [{ unverified: { object: item.change.object, reason: `no verification query is generated for ${item.change.kind} changes (migcheck verify rehearses them)` } }];
  }
  return answers.flat();
}

/** The queries as one statement: `(q1) UNION ALL (q2) …;`, for a tool that runs them at once. */
export function unionAll(queries: readonly VerificationQuery[]): string {
  if (queries.length === 0) return '';
  return `${queries.map((query) => `(${query.sql.replace(/;$/, '')})`).join('\nUNION ALL ')};`;
}

/** Each query, introduced by a comment saying what it checks. */
export function queryLines(queries: readonly VerificationQuery[]): string[] {
  return queries.flatMap((query) => [sqlComment(`${query.check}: ${query.object}`), query.sql]);
}

export function unverifiedLines(unverified: readonly Unverified[]): string[] {
  return unverified.map((item) => sqlComment(`NOT VERIFIED: ${item.object}: ${item.reason}.`));
}

const ROWS_MEAN_WRONG = 'Each query returns rows (check, object, detail) only when something is wrong.';

/**
 * The rollback script with its verification: the pre-checks after its opening comments (run them first), each
 * backup check right after the statement that takes the backup, and the checks of the result at the end.
 */
export function withVerification(script: string, { queries, unverified }: Verification): string {
  if (queries.length === 0 && unverified.length === 0) return script;
  const lines = script.replace(/\n$/, '').split('\n');
  const before = queries.filter((query) => query.phase === 'before');
  if (before.length > 0) {
    const opening = lines.findIndex((line) => !line.startsWith('--'));
    lines.splice(opening === -1 ? lines.length : opening, 0, '', sqlComment(`BEFORE running this script, run these checks and stop if one returns a row: the values a type revert would not keep. ${ROWS_MEAN_WRONG}`), ...queryLines(before));
  }
  const misplaced: VerificationQuery[] = [];
  for (const query of queries.filter((candidate) => candidate.phase === 'backup')) {
    // The backup step as the script prints it: as written, or guarded so that it is not taken twice (plan/online/).
    const statement = (query.afterStatement ?? '').replace(/;$/, '');
    const at = statement === '' ? -1 : lines.findIndex((line) => !line.startsWith('--') && line.includes(statement));
    if (at === -1) misplaced.push(query);
    else lines.splice(at + 1, 0, sqlComment(`Check the backup before going on (a row means it does not hold what it copied): ${query.object}`), query.sql);
  }
  const after = queries.filter((query) => query.phase === 'after');
  lines.push('', sqlComment(`Verification, once the script has run. ${ROWS_MEAN_WRONG} No row: the schema is as it was before the migrations.`), ...queryLines(after));
  for (const query of misplaced) {
    // Its source is gone once the script ran: shown, not run, for whoever runs the steps one by one.
    lines.push(sqlComment(`Run right after the backup of ${query.object} is taken, before the step that drops its source: ${query.sql}`));
  }
  lines.push(...unverifiedLines(unverified));
  return `${lines.join('\n')}\n`;
}
