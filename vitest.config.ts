import { defineConfig } from 'vitest/config';

/**
 * Every test runs on one Redis; these run again on a Redis Cluster of 3 masters and 3 replicas:
 * the job lifecycle, fencing, partitions, and each feature that relies on pub/sub or blocking reads.
 */
const CLUSTER_TESTS = [
  'lifecycle',
  'fencing',
  'producer',
  'results',
  'cancel',
  'queue-events',
  'dlq',
  'schedules',
  'janitor',
  'partitions',
].map((name) => `test/${name}.test.ts`);

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
