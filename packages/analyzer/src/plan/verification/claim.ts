/**
 * What one change contributes to the verification: per object it restores or drops, a claim on the state the
 * rollback must leave (keyed, so that when several migrations touch an object the oldest one decides: the
 * rollback undoes them all), or the reason no query can check it.
 */
import type { SchemaSnapshot } from '../../catalog/snapshot.js';
import type { AnalyzedChange } from '../analyze.js';
import type { Claim } from './types.js';

export type { Claim } from './types.js';

export interface ChangeToVerify {
  item: AnalyzedChange;
  /** The schema before the change, or undefined when it is unknown (static analysis, a history that failed, or an
   * earlier statement of the migration touched the object). */
  prior: SchemaSnapshot | undefined;
  /** Why `prior` is undefined, said next to each object it leaves unverified. */
  priorUnknown: string;
}

/** A kind module's answer: its claims, or undefined when the change is not of its kinds. */
export type ClaimsOf = (change: ChangeToVerify) => Claim[] | undefined;

export function unverified(key: string, object: string, reason: string): Claim {
  return { key, unverified: { object, reason } };
}
