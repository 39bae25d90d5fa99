import type { TestProject } from 'vitest/node';
import { startRedisCluster } from './helpers/redis-cluster.js';

/**
 * The cluster project's Redis: a Redis Cluster of 3 masters and 3 replicas on loopback. Its
 * tests get every node's URL, comma-separated, as their redisUrl: the seeds Sluice takes.
 */
export default async function setup(project: TestProject) {
  const cluster = await startRedisCluster();
  project.provide('redisUrl', cluster.seeds);
  return () => cluster.stop();
}
