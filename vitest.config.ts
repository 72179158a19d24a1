import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'tests/**/*.test.ts'],
    setupFiles: ['packages/core/src/testing/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel, two at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
