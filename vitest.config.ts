import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // compiles the CLI once for the tests that start it (see test/global-setup.ts)
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Trials and tfjs backends are heavy; two cores run two test files at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
