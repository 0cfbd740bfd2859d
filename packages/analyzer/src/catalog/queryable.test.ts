import { describe, expect, test } from 'vitest';
import { askedAtOnce, type Queryable } from './queryable.js';

describe('askedAtOnce', () => {
  test('sends queries asked for at once one after the other, and none after one failed', async () => {
    const sent: string[] = [];
    let running = 0;
    let most = 0;
    // Like a pg.Client, which must not be given a query while one runs (node-postgres warns on stderr).
    const session: Queryable = {
      async query<R>(sql: string) {
        sent.push(sql);
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (sql === 'fails') throw new Error('no reply within the timeout');
        return { rows: [] as R[] };
      },
    };
    const db = askedAtOnce(session);
    const outcomes = await Promise.allSettled([db.query('first'), db.query('fails'), db.query('never sent')]);
    expect(most).toBe(1);
    expect(sent).toEqual(['first', 'fails']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  });

  test('leaves a session that takes queries at once as it is', () => {
    const session: Queryable = { takesQueriesAtOnce: true, query: async () => ({ rows: [] }) };
    expect(askedAtOnce(session)).toBe(session);
  });
});
