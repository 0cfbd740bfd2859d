import { describe, expect, it } from 'vitest';
import { liveProgress, progressPrinter } from './progress.js';

function recorder() {
  const written: string[] = [];
  return { written, write: (text: string) => void written.push(text) };
}

describe('progress on stderr', () => {
  it('updates one line in place on a terminal, with the elapsed time, and erases it at the end', () => {
    const { written, write } = recorder();
    let clock = 1_000;
    const progress = progressPrinter(write, true, () => clock);
    clock = 1_500;
    progress.report('replaying history: 3/40 (0003)');
    clock = 3_250;
    progress.report('replaying history: 9/40 (0009\u001b[31m)');
    progress.end();
    expect(written).toEqual([
      '\r\u001b[2Kmigcheck: replaying history: 3/40 (0003) (0.5 s)',
      '\r\u001b[2Kmigcheck: replaying history: 9/40 (0009\\x1B[31m) (2.3 s)',
      '\r\u001b[2K',
    ]);
    expect(written.join('')).not.toContain('\n');
  });

  it('prints plain lines elsewhere, and nothing at the end', () => {
    const { written, write } = recorder();
    const progress = progressPrinter(write, false);
    progress.report('starting shadow PostgreSQL 18 (embedded)…');
    progress.end();
    expect(written).toEqual(['migcheck: starting shadow PostgreSQL 18 (embedded)…\n']);
  });

  it('updates in place only on a terminal that wants escape sequences', () => {
    expect(liveProgress(true, {})).toBe(true);
    expect(liveProgress(false, {})).toBe(false);
    expect(liveProgress(true, { NO_COLOR: '1' })).toBe(false);
    expect(liveProgress(true, { TERM: 'dumb' })).toBe(false);
  });
});
