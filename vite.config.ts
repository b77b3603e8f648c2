// Root config: unit tests of every workspace (vitest). Each app builds with its own vite.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Every folder a test makes lives under one root per run, removed at the end (test/tmp.ts).
    globalSetup: ['test/tmp-run.ts'],
    setupFiles: ['test/tmp-file.ts'],
  },
});
