/**
 * Rehearsals of a whole history, several at once on the one shadow server.
 *
 * Preparing a rehearsal moves the replay cursor to the migration's prior state and copies it (../shadow/session.ts):
 * that is done one migration at a time, in history order, so the cursor only ever moves forward. Running it needs
 * only the copies, so up to `concurrency` rehearsals run while the replay goes on to the next migration. Each
 * rehearsal has databases of its own: one that fails (its migration, its rollback) changes nothing in the others.
 */

/** How many rehearsals run at once by default: measured on 2 cores (bench/verify-corpus.mjs). */
export const DEFAULT_REHEARSAL_CONCURRENCY = 2;

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
