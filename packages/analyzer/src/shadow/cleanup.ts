/**
 * What must not outlive the process: shadow servers migcheck started, databases it created on a user's server.
 *
 * `close()` is the normal way out. This registry covers the others: Ctrl-C (SIGINT), SIGTERM and SIGHUP run every
 * pending cleanup and then end the process as the signal would have; a plain exit (process.exit, or an error that
 * ends the program) runs the synchronous part (stop the embedded server, remove its data directory).
 */

export interface Cleanup {
  /** Full cleanup (stop, drop, remove), for signals. */
  run(): Promise<void>;
  /** What can be done without waiting, for the 'exit' event (no asynchronous work runs after it). */
  runSync(): void;
}

const pending = new Set<Cleanup>();

/** Signals that end the program by default, with the exit status a shell gives them (128 + number). */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Cleanups on a signal get this long before the program ends anyway. */
const SIGNAL_CLEANUP_TIMEOUT_MS = 10_000;

let handlersInstalled = false;
let signalCleanupRunning = false;

/** Registers a cleanup until the returned function is called (after a successful close). */
export function registerCleanup(cleanup: Cleanup): () => void {
  installHandlersOnce();
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
}

function installHandlersOnce(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runSynchronousCleanups);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) {
    process.on(signal, onSignal);
  }
}

function runSynchronousCleanups(): void {
  for (const cleanup of pending) {
    try {
      cleanup.runSync();
    } catch {
      // Best effort: the process is ending.
    }
  }
  pending.clear();
}

async function onSignal(signal: HandledSignal): Promise<void> {
  // A second Ctrl-C while cleaning up means "stop now".
  if (signalCleanupRunning) process.exit(SIGNAL_EXIT_CODES[signal]);
  signalCleanupRunning = true;
  const cleanups = [...pending];
  pending.clear();
  await Promise.race([
    Promise.allSettled(cleanups.map((cleanup) => cleanup.run())),
    new Promise((resolve) => setTimeout(resolve, SIGNAL_CLEANUP_TIMEOUT_MS).unref()),
  ]);
  process.removeListener(signal, onSignal);
  // Alone, re-raise: the default action ends the process "killed by SIGINT", as the parent shell expects. If
  // someone else listens too, the default action is off; exit with the conventional status instead.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  else process.exit(SIGNAL_EXIT_CODES[signal]);
}
