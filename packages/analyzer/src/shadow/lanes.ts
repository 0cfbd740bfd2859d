/**
 * Lanes: a history cut into contiguous parts that are replayed (lint) or rehearsed (verify) at once, each on a
 * replay cursor of its own (Shadow.lane()). A lane replays the migrations before its part once, then walks its part
 * forward.
 */
import type { Migration } from '../source/discover.js';
import type { Shadow } from './types.js';

/** How many lanes lint's replay of a long history reads prior schemas in (measured on 2 cores: bench/lint-vs-squawk.mjs --cold). */
export const DEFAULT_REPLAY_LANES = 2;

/** What a lane pays to reach an item: the replay of its history up to it, named by that history (its directory). */
export interface Reach {
  history: unknown;
  cost: number;
}

/**
 * `items` (in history order) cut into at most `count` contiguous lanes, the most costly lane as cheap as it can be.
 * A lane costs the `cost` of each of its items, and, for each history it has items of, the `reach` of its last item
 * there: a lane replays the history before its part too, so a lane later in a history costs more than its items
 * (on Lemmy, lint's second lane replayed 200 migrations before its first reading, and ended 0.7 s after the first).
 */
export function lanesOf<Item>(items: readonly Item[], count: number, cost: (item: Item) => number, reach: (item: Item) => Reach = () => ({ history: undefined, cost: 0 })): Item[][] {
  const lanes = Math.max(1, Math.min(Math.floor(count), items.length));
  if (items.length === 0) return [[]];
  const costs = items.map(cost);
  const reaches = items.map(reach);
  // Each lane takes, from the end, as many items as fit in `budget`: the least budget that needs no more than `lanes`
  // lanes is found by bisection (the cost of the costliest single-item lane ≤ it ≤ the cost of everything in one).
  const cut = (budget: number): Item[][] | undefined => {
    const result: Item[][] = [];
    let end = items.length;
    while (end > 0) {
      if (result.length === lanes) return undefined;
      let start = end - 1;
      const histories = new Set([reaches[start]!.history]);
      let spent = costs[start]! + reaches[start]!.cost;
      while (start > 0) {
        const before = start - 1;
        const more = costs[before]! + (histories.has(reaches[before]!.history) ? 0 : reaches[before]!.cost);
        if (spent + more > budget) break;
        histories.add(reaches[before]!.history);
        spent += more;
        start = before;
      }
      result.unshift(items.slice(start, end));
      end = start;
    }
    return result;
  };
  // One lane of everything is always a cut; the bisection looks for a cheaper costliest lane.
  let best: Item[][] = [items.slice()];
  let low = Math.max(...items.map((_, index) => costs[index]! + reaches[index]!.cost));
  let high = costs.reduce((sum, value) => sum + value, 0) + [...new Map(reaches.map((each) => [each.history, each.cost])).values()].reduce((sum, value) => sum + value, 0);
  for (let step = 0; step < 40 && high - low > 1e-9 * high; step++) {
    const middle = (low + high) / 2;
    const lanesWithin = cut(middle);
    if (lanesWithin) {
      best = lanesWithin;
      high = middle;
    } else {
      low = middle;
    }
  }
  return best;
}

/** Below this many migrations a lane costs more (a replay of the history before it) than it saves. */
export const MIGRATIONS_PER_LANE = 50;

/** A migration late in its history costs more to read and rehearse: its schema has more tables. */
export function costOfReplay(migration: Migration): number {
  return 1 + (2 * migration.index) / Math.max(1, migration.directory?.migrations.length ?? 1);
}

/**
 * What a lane of lint's replay pays for the migration's prior schema: a catalog reading, costlier in a larger schema
 * (on Lemmy, ~25 ms early in the history and ~45 ms at its end, on 2 cores)…
 */
export function costOfReading(migration: Migration): number {
  return 1 + (0.8 * migration.index) / Math.max(1, migration.directory?.migrations.length ?? 1);
}

/** …and to get there: applying each migration before it, ~6 ms each on Lemmy, a quarter of an early reading. */
export function reachOfReading(migration: Migration): Reach {
  return { history: migration.directory ?? migration, cost: 0.24 * migration.index };
}

/**
 * `work` on each lane at once, the first on `shadow` itself, the others on lanes of it (Shadow.lane(): a replay
 * cursor each), closed after; the first failure is thrown once every lane has stopped.
 */
export async function inLanes<Item>(shadow: Shadow, lanes: Item[][], work: (laneShadow: Shadow, lane: Item[], index: number) => Promise<unknown>): Promise<void> {
  const outcomes = await Promise.allSettled(
    lanes.map(async (lane, index) => {
      const laneShadow = index === 0 ? shadow : shadow.lane();
      try {
        await work(laneShadow, lane, index);
      } finally {
        if (laneShadow !== shadow) await laneShadow.close();
      }
    }),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
