import { defineConfig } from 'vitest/config';

/** Tests run once on one Redis; CLUSTER_TESTS run again on a Redis Cluster of 3 masters and 3 replicas. */
const CLUSTER_TESTS = ['test/lifecycle.test.ts', 'test/fencing.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/leak-guard.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['test/**/*.test.ts'],
          exclude: ['test/cluster/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: [...CLUSTER_TESTS, 'test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster-setup.ts'],
        },
      },
    ],
  },
});
