import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Two test files at once on a 2-core machine (vitest's default is cores - 1 = 1): most tests wait on a CLI
    // child process or a local server, so the second file fills the first's waits.
    maxWorkers: 2,
    globalSetup: ['tests/helpers/build.ts'],
    setupFiles: ['tests/helpers/fuzz-setup.ts'],
    // A guard against a hang only, never a performance check: tests wait on events (an output line, a file,
    // a request), so a machine busy with other work (stress-ng --cpu 2 in the CI check) only makes them slower.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
