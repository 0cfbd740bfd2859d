import { describe, expect, it } from 'vitest';
import { lanesOf } from '../shadow/lanes.js';
import { inOrderWithConcurrency } from './parallel.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inOrderWithConcurrency', () => {
  it('prepares in order, runs at most `concurrency` at once, and returns the results in order', async () => {
    const prepared: number[] = [];
    let running = 0;
    let most = 0;
    const results = await inOrderWithConcurrency(
      [5, 30, 1, 20, 2, 8],
      3,
      async (item, index) => {
        prepared.push(index);
        return item;
      },
      async (ms, index) => {
        most = Math.max(most, ++running);
        await tick(ms);
        running--;
        return `#${index}`;
      },
    );
    expect(results).toEqual(['#0', '#1', '#2', '#3', '#4', '#5']);
    expect(prepared).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });

  it('never prepares more than `concurrency` ahead of what has finished (each prepared one holds databases)', async () => {
    let outstanding = 0;
    let most = 0;
    await inOrderWithConcurrency(
      Array.from({ length: 10 }, (_, i) => i),
      2,
      async (item) => {
        most = Math.max(most, ++outstanding);
        return item;
      },
      async () => {
        await tick(2);
        outstanding--;
      },
    );
    expect(most).toBe(2);
  });

  it('with concurrency 1, one after the other', async () => {
    const events: string[] = [];
    await inOrderWithConcurrency(
      [0, 1, 2],
      1,
      async (item) => {
        events.push(`prepare ${item}`);
        return item;
      },
      async (item) => {
        await tick(3);
        events.push(`ran ${item}`);
      },
    );
    expect(events).toEqual(['prepare 0', 'ran 0', 'prepare 1', 'ran 1', 'prepare 2', 'ran 2']);
  });

  it('a failing run: the others already running finish, nothing more is prepared, and the error is thrown', async () => {
    const finished: number[] = [];
    const prepared: number[] = [];
    const run = inOrderWithConcurrency(
      [0, 1, 2, 3, 4, 5],
      3,
      async (item) => {
        prepared.push(item);
        return item;
      },
      async (item) => {
        if (item === 1) {
          await tick(1);
          throw new Error('connection lost');
        }
        await tick(20);
        finished.push(item);
      },
    );
    await expect(run).rejects.toThrow('connection lost');
    // 0 and 2 were running when 1 failed: they finished (and released their databases) before the error came out.
    expect(finished).toEqual(expect.arrayContaining([0, 2]));
    expect(prepared).not.toContain(5);
  });

  it('a failing prepare: the running ones finish, the error is thrown', async () => {
    const finished: number[] = [];
    const run = inOrderWithConcurrency(
      [0, 1, 2],
      2,
      async (item) => {
        if (item === 1) throw new Error('history unreadable');
        return item;
      },
      async (item) => {
        await tick(10);
        finished.push(item);
      },
    );
    await expect(run).rejects.toThrow('history unreadable');
    expect(finished).toEqual([0]);
  });
});

describe('lanesOf', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);

  it('cuts a history into contiguous lanes, the costliest as cheap as it can be, each item once, in order', () => {
    expect(lanesOf(items, 2, () => 1)).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    // Later items cost more: the first lane takes more of them.
    const lanes = lanesOf(items, 2, (i) => 1 + i);
    expect(lanes.flat()).toEqual(items);
    expect(lanes[0]!.length).toBeGreaterThan(lanes[1]!.length);
    const three = lanesOf(items, 3, () => 1);
    expect(three.flat()).toEqual(items);
    expect(Math.max(...three.map((lane) => lane.length))).toBe(4);
  });

  it('counts the replay a lane makes before its part: a lane later in its history takes fewer items', () => {
    const history = {};
    // Each item costs 1, and reaching item i costs i: the second lane replays the first lane's part before its own.
    const lanes = lanesOf(items, 2, () => 1, (i) => ({ history, cost: i }));
    const costOf = (lane: number[]) => lane.length + lane.at(-1)!;
    expect(lanes).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]);
    expect(lanes.map(costOf)).toEqual([11, 13]); // cut in halves, the second lane would cost 14
    // Another history is replayed from its own start: the second lane does not pay for the first history.
    const second = {};
    const byHistory = lanesOf(items, 2, () => 1, (i) => (i < 5 ? { history, cost: i } : { history: second, cost: i - 5 }));
    expect(byHistory).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  });

  it('makes no empty lane: never more lanes than items, at least one', () => {
    expect(lanesOf([7, 8], 5, () => 1)).toEqual([[7], [8]]);
    expect(lanesOf([7], 0, () => 1)).toEqual([[7]]);
    expect(lanesOf([], 2, () => 1)).toEqual([[]]);
    expect(lanesOf([1, 2, 3], 2, (i) => (i === 1 ? 100 : 1))).toEqual([[1], [2, 3]]);
  });
});
