// The backend contract suite through supabase-js: each file starts local Supabase servers (and a PostgreSQL 15
// shaped like the platform), so files run one at a time with generous (never asserted) time limits.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/supabase/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
