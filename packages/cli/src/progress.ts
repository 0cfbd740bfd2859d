/**
 * Progress of a long replay or rehearsal on stderr. On a terminal: one line that updates in place, with the
 * elapsed time, erased when the command is done. Anywhere else (CI logs, a pipe), or with NO_COLOR or
 * TERM=dumb (no escape sequences wanted): one plain line per message.
 */
import { visible } from '@migcheck/analyzer';

export interface Progress {
  report: (message: string) => void;
  /** Erases the updating line, so the report that follows starts on a clean line. */
  end: () => void;
}

export function progressPrinter(write: (text: string) => void, live: boolean, now: () => number = Date.now): Progress {
  const started = now();
  let showing = false;
  if (!live) return { report: (message) => write(`migcheck: ${visible(message)}\n`), end: () => {} };
  return {
    report: (message) => {
      const seconds = ((now() - started) / 1000).toFixed(1);
      write(`\r\x1b[2Kmigcheck: ${visible(message)} (${seconds} s)`);
      showing = true;
    },
    end: () => {
      if (showing) write('\r\x1b[2K');
      showing = false;
    },
  };
}

/** Whether progress may update one line in place: stderr is a terminal that accepts escape sequences. */
export function liveProgress(stderrIsTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return stderrIsTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}
