import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run when a test leaves a process behind (see the file).
    globalSetup: ['test/helpers/process-leaks.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
