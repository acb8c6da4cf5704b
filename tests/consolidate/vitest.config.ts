// The consolidation suite runs on its own: every file starts a PostgreSQL 15 server and builds a
// legacy database, so files run one at a time and get generous (never asserted) time limits.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/consolidate/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
