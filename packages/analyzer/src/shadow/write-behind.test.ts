import { describe, expect, test } from 'vitest';
import { WriteBehind } from './write-behind.js';

/** A write that ends when told to, and says when it started. */
function gatedWrite(log: string[], name: string): { write: () => Promise<void>; finish: () => void; fail: (error: Error) => void } {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const ended = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    write: () => {
      log.push(`start ${name}`);
      return ended.then(() => void log.push(`end ${name}`));
    },
    finish,
    fail,
  };
}

describe('WriteBehind', () => {
  test('start() returns while the write goes on; settled() waits for it', async () => {
    const log: string[] = [];
    const writes = new WriteBehind(4);
    const a = gatedWrite(log, 'a');
    await writes.start(a.write);
    expect(log).toEqual(['start a']);
    let settled = false;
    const settling = writes.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    a.finish();
    await settling;
    expect(log).toEqual(['start a', 'end a']);
  });

  test('at most `limit` writes at once: the next start() waits for one to end', async () => {
    const log: string[] = [];
    const writes = new WriteBehind(2);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gatedWrite(log, name));
    await writes.start(a!.write);
    await writes.start(b!.write);
    let third = false;
    const starting = writes.start(c!.write).then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(third).toBe(false);
    expect(log).toEqual(['start a', 'start b']);
    b!.finish();
    await starting;
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a!.finish();
    c!.finish();
    await writes.settled();
  });

  test('a write that fails does not fail settled(), nor the writes after it', async () => {
    const log: string[] = [];
    const writes = new WriteBehind(1);
    const [a, b] = ['a', 'b'].map((name) => gatedWrite(log, name));
    await writes.start(a!.write);
    a!.fail(new Error('disk full'));
    await writes.start(b!.write);
    b!.finish();
    await expect(writes.settled()).resolves.toBeUndefined();
    expect(log).toEqual(['start a', 'start b', 'end b']);
  });

  test('settled() also waits for writes started while it waits', async () => {
    const log: string[] = [];
    const writes = new WriteBehind(4);
    const [a, b] = ['a', 'b'].map((name) => gatedWrite(log, name));
    await writes.start(a!.write);
    const settling = writes.settled();
    await writes.start(b!.write);
    a!.finish();
    await new Promise((resolve) => setTimeout(resolve, 5));
    b!.finish();
    await settling;
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b']);
  });
});
