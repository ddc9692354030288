import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/e2eShop.globalSetup.ts', 'test/syncBase.globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One module graph per worker instead of one per file: importing core (DuckDB, the Klaviyo SDK's 5,775
    // model files, zod schemas) in every one of ~120 files cost 198 s of the suite's CPU, and 55 s without
    // isolation. Files must not leave global state behind (env, timers, module-level caches): each cleans up.
    isolate: false,
    maxWorkers: 2,
  },
});
