/**
 * Lanes: a history cut into contiguous parts that are replayed (lint) or rehearsed (verify) at once, each on a
 * replay cursor of its own (Shadow.lane()). A lane replays the migrations before its part once, then walks its part
 * forward.
 */
import type { Migration } from '../source/discover.js';
import type { Shadow } from './types.js';

/** How many lanes lint's replay of a long history reads prior schemas in (measured on 2 cores: bench/lint-vs-squawk.mjs --cold). */
export const DEFAULT_REPLAY_LANES = 2;

/**
 * `items` (in history order) cut into at most `count` contiguous lanes of about equal cost, by `cost` of each
 * item. An item later in its history costs more (more tables to seed, checksum and read), so lanes are cut by
 * cost, not by count.
 */
export function lanesOf<Item>(items: readonly Item[], count: number, cost: (item: Item) => number): Item[][] {
  const lanes = Math.max(1, Math.min(Math.floor(count), items.length));
  const costs = items.map(cost);
  const total = costs.reduce((sum, value) => sum + value, 0);
  const result: Item[][] = [[]];
  let spent = 0;
  for (const [index, item] of items.entries()) {
    // A new lane once this one has its share, as long as items are left for the lanes after it.
    if (result.length < lanes && result.at(-1)!.length > 0 && spent >= (total * result.length) / lanes) result.push([]);
    result.at(-1)!.push(item);
    spent += costs[index]!;
  }
  return result;
}

/** Below this many migrations a lane costs more (a replay of the history before it) than it saves. */
export const MIGRATIONS_PER_LANE = 50;

/** A migration late in its history costs more to read and rehearse: its schema has more tables. */
export function costOfReplay(migration: Migration): number {
  return 1 + (2 * migration.index) / Math.max(1, migration.directory?.migrations.length ?? 1);
}

/**
 * `work` on each lane at once, the first on `shadow` itself, the others on lanes of it (Shadow.lane(): a replay
 * cursor each), closed after; the first failure is thrown once every lane has stopped.
 */
export async function inLanes<Item>(shadow: Shadow, lanes: Item[][], work: (laneShadow: Shadow, lane: Item[]) => Promise<unknown>): Promise<void> {
  const outcomes = await Promise.allSettled(
    lanes.map(async (lane, index) => {
      const laneShadow = index === 0 ? shadow : shadow.lane();
      try {
        await work(laneShadow, lane);
      } finally {
        if (laneShadow !== shadow) await laneShadow.close();
      }
    }),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
