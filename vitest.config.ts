import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: the browser and two-instance tests share two cores with everything else in CI.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Integration tests open real ports and SQLite files; keep the machine's two cores calm.
    maxWorkers: 2,
  },
});
