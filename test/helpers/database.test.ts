import pg from 'pg';
import { expect, inject, test } from 'vitest';
import { createScratchDatabase } from './database.js';

test('scratch databases: unique names, connected clients, dropped even while others are connected', async () => {
  const [first, second] = await Promise.all([createScratchDatabase('helper test'), createScratchDatabase('helper test')]);
  expect(first.name).toMatch(/^helper_test_[0-9a-f]{12}$/);
  expect(second.name).not.toBe(first.name);
  const { rows } = await first.client.query<{ name: string }>('SELECT current_database() AS name');
  expect(rows[0]?.name).toBe(first.name);

  const straggler = new pg.Client({ connectionString: first.url });
  straggler.on('error', () => {}); // it is terminated by the drop
  await straggler.connect();
  await Promise.all([first.drop(), second.drop()]);

  const server = new pg.Client({ connectionString: inject('postgresUrl') });
  await server.connect();
  try {
    const left = await server.query('SELECT 1 FROM pg_database WHERE datname = ANY($1)', [[first.name, second.name]]);
    expect(left.rowCount).toBe(0);
  } finally {
    await server.end();
    await straggler.end().catch(() => {});
  }
});
