/**
 * Rehearsals of a whole history, several at once on the one shadow server.
 *
 * A history is cut into lanes, contiguous parts rehearsed at once, each on a replay cursor of its own (a lane of the
 * shadow: ../shadow/session.ts); a lane replays the migrations before its part once, then walks it forward.
 * Within a lane, preparing a rehearsal moves the cursor to the migration's prior state, and rehearses it there in
 * a rolled-back transaction or copies that state (./rehearse.ts): one migration at a time, in history order, so the
 * cursor only ever moves forward. A rehearsal in copies needs only its copies to run, so it runs while the lane goes
 * on to the next migration. Each rehearsal has a transaction or databases of its own: one that fails (its
 * migration, its rollback) changes nothing in the others.
 */

/** How many lanes by default: measured on 2 cores (bench/verify-corpus.mjs --concurrency 1,2,3). */
export const DEFAULT_REHEARSAL_CONCURRENCY = 2;

/** Within a lane: a rehearsal in copies runs while the next one is prepared. */
export const REHEARSALS_PER_LANE = 2;

/**
 * `run(prepare(item))` for every item, prepared in order, at most `concurrency` prepared or running at once; the
 * results in the items' order. On the first error nothing more is prepared, the rehearsals already running finish
 * (releasing their databases), and the error is thrown.
 */
export async function inOrderWithConcurrency<Item, Prepared, Result>(
  items: readonly Item[],
  concurrency: number,
  prepare: (item: Item, index: number) => Promise<Prepared>,
  run: (prepared: Prepared, index: number) => Promise<Result>,
): Promise<Result[]> {
  const limit = Math.max(1, Math.floor(concurrency));
  const results = new Array<Result>(items.length);
  const running = new Set<Promise<void>>();
  let firstError: { error: unknown } | undefined;
  for (const [index, item] of items.entries()) {
    while (running.size >= limit) await Promise.race(running);
    if (firstError) break;
    let prepared: Prepared;
    try {
      prepared = await prepare(item, index);
    } catch (error) {
      firstError ??= { error };
      break;
    }
    const task: Promise<void> = run(prepared, index).then(
      (result) => {
        results[index] = result;
      },
      (error: unknown) => {
        firstError ??= { error };
      },
    );
    running.add(task);
    void task.finally(() => running.delete(task));
    if (firstError) break;
  }
  await Promise.all(running);
  if (firstError) throw firstError.error;
  return results;
}
