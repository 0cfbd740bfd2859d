/**
 * Stand-ins the recorders hand to a migration for what they do not capture: an object that notes a gap the first
 * time it is used, and absorbs any use after that (property chains, calls, `new`, `await`) without throwing, so
 * that the rest of the migration still runs and is captured.
 */
import { gap } from './recording.js';

/** A value every use of which is absorbed: each property is itself, a call returns itself, awaiting gives itself. */
export function inert(onFirstUse: () => void): unknown {
  let used = false;
  const use = () => {
    if (!used) onFirstUse();
    used = true;
  };
  const target = function inertValue() {};
  const proxy: unknown = new Proxy(target, {
    get(_target, key) {
      // Not a thenable: `await` resolves to the value itself.
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      if (key === Symbol.iterator) return function* empty() {};
      use();
      return proxy;
    },
    apply() {
      use();
      return proxy;
    },
    construct() {
      use();
      return proxy as object;
    },
  });
  return proxy;
}

/** An empty list of rows: reading it is a gap (the code uses an answer it did not get). */
export function unansweredRows(what: string): unknown[] {
  return new Proxy([] as unknown[], {
    get(target, key, receiver) {
      if (key !== 'then' && key !== 'constructor' && typeof key !== 'symbol') gap(`uses what \`${what}\` returns, and was answered with no rows`);
      if (key === Symbol.iterator) gap(`uses what \`${what}\` returns, and was answered with no rows`);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}
