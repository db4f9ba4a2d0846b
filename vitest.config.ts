import { defineConfig } from 'vitest/config';

// Four projects:
// - `unit`: core, engine, model checks, runtime, server, build and web modules (CPU-heavy; files in parallel);
// - `lab`: the MIT 6.5840 Raft lab suite in real time (timing-sensitive; one file at a time);
// - `cluster`: real `pure-raft node` processes over TCP and disk (timing-sensitive; one file at a time);
// - `browser`: the explorer and playground pages in Debian's Chromium (one file at a time).
// `npm test` runs them one after the other (unit, lab, cluster, browser), never side by side.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/lab/**', 'test/cluster/**', 'test/browser/**'],
          // Two files at a time on a 2-core machine (vitest's default is one fewer than the cores):
          // nothing here is timed against a wall clock but with wide margins.
          maxWorkers: 2,
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real `pure-raft node` processes, sockets and disk: timing-sensitive, one file at a time.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Debian's Chromium driven by playwright-core over the built pages: one file at a time.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
