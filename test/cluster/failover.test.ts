import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EngineOptions, Queue } from '../../dist/index.js';
import { SluiceError } from '../../dist/index.js';
import { closeTracked, handlerPath, openQueue, queueName, startEngine, waitFor } from '../helpers/index.js';
import { readLedger, useLedger } from '../helpers/ledger.js';
import { type ClusterNode, type RedisCluster, startRedisCluster } from '../helpers/redis-cluster.js';

const BATCH = 5;
const BATCH_EVERY_MS = 5;
/** Each job takes this long, so jobs are in flight when the master dies. */
const JOB_MS = 20;
const RUN_BEFORE_KILL_MS = 2000;
const RUN_AFTER_KILL_MS = 6000;
/**
 * With cluster-node-timeout 1 s, the replica sees its master fail after 1-2 s and is elected
 * within about a second more; clients then need a slot refresh and a retry (ioredis retries every
 * 100 ms; the dispatcher backs off to 1 s at most). 10 s leaves room for a loaded 2-core machine.
 */
const RESUME_BOUND_S = 10;

/** What one producer was told, by job id. */
interface Produced {
  /** performance.now() of each id's first send. */
  firstSent: Map<string, number>;
  /** performance.now() of each id's acknowledgement. */
  acked: Map<string, number>;
  /** Rejections, by error code (or the start of the message for errors without one). */
  errors: Map<string, number>;
  /** The longest time an add took to be acknowledged (ms). */
  longestAddMs: number;
}

/**
 * Adds BATCH jobs every BATCH_EVERY_MS, each with its own jobId; a rejected batch is sent again
 * with the same ids (idempotent) until acknowledged or the run ends.
 */
async function produce(queue: Queue, prefix: string, produced: Produced, running: () => boolean) {
  for (let n = 0; running(); ) {
    const ids = Array.from({ length: BATCH }, () => `${prefix}-${n++}`);
    const sent = performance.now();
    for (const id of ids) produced.firstSent.set(id, sent);
    while (running()) {
      const started = performance.now();
      try {
        await queue.addBulk(ids.map((jobId) => ({ payload: { ms: JOB_MS }, opts: { jobId } })));
        const at = performance.now();
        produced.longestAddMs = Math.max(produced.longestAddMs, at - started);
        for (const id of ids) produced.acked.set(id, at);
        break;
      } catch (error) {
        const key = error instanceof SluiceError ? error.code : (error as Error).message.slice(0, 50);
        produced.errors.set(key, (produced.errors.get(key) ?? 0) + 1);
        await sleep(20);
      }
    }
    await sleep(BATCH_EVERY_MS);
  }
}

interface Variant {
  label: string;
  queue: Queue;
  prefix: string;
  produced: Produced;
  /** Seconds from the kill until a job first sent after it completed. */
  resumedS?: number;
}

/** A queue name whose slot the master `node` serves. */
async function nameOn(cluster: RedisCluster, node: ClusterNode, label: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const name = queueName(label);
    if ((await cluster.masterOf(`{${name}}`)).address === node.address) return name;
  }
  throw new Error(`no queue name on ${node.address} after 200 tries`);
}

/**
 * Starts an engine whose wake subscriber sits on a master (ioredis picks the node at random),
 * so that killing that master proves the subscription moves to another node.
 */
async function engineSubscribedOnAMaster(cluster: RedisCluster, options: Omit<EngineOptions, 'queue'>) {
  for (let i = 0; i < 12; i++) {
    const name = queueName('failover-wake');
    const engine = await startEngine({ ...options, queue: name });
    const node = (await waitFor('the wake subscriber', () =>
      cluster.nodeOfClient(`ioredis-cluster(subscriber):sluice:wake:${name}`),
    )) as ClusterNode;
    if ((await cluster.masters()).includes(node.address)) return { engine, name, node };
    await engine.stop();
  }
  throw new Error('no engine subscribed on a master in 12 starts');
}

/**
 * Ms from an add to its completion on an idle engine, added just after the engine's 1 s idle
 * poll (2.1 s after it went idle): about 900 ms without the wake message, a few ms with it.
 */
async function wakeLatency(queue: Queue, state: () => string): Promise<number> {
  const done = async (id: string) =>
    waitFor(`job ${id}`, async () => (await queue.getJob(id)) === undefined, 5000);
  const anchor = performance.now();
  await done(await queue.add({}, { jobId: 'k-1' }));
  await sleep(2100 - (performance.now() - anchor));
  await waitFor('the engine to be idle', () => state() === 'idle', 1000);
  const started = performance.now();
  await done(await queue.add({}, { jobId: 'k-2' }));
  return performance.now() - started;
}

describe('failover', () => {
  it('resumes within seconds when the master of the queues is killed; adds confirmed by a replica are never lost', async () => {
    const cluster = await startRedisCluster();
    try {
      const ledger = useLedger();
      const connection = cluster.seeds;
      const engineOptions = {
        handler: handlerPath('ledger'),
        connection,
        threads: 1,
        leaseMs: 1000,
        janitorIntervalMs: 100,
      };
      const waker = await engineSubscribedOnAMaster(cluster, engineOptions);
      const victim = waker.node;
      const variants: Variant[] = [
        { label: 'plain', name: await nameOn(cluster, victim, 'failover-plain'), prefix: 'p' },
        {
          label: 'replicas',
          name: await nameOn(cluster, victim, 'failover-wait'),
          prefix: 'w',
          replicas: { count: 1, timeoutMs: 500 },
        },
      ].map(({ label, name, prefix, replicas }) => ({
        label,
        prefix,
        queue: openQueue(name, { connection, ...(replicas ? { replicas } : {}) }),
        produced: { firstSent: new Map(), acked: new Map(), errors: new Map(), longestAddMs: 0 },
      }));
      const engines = await Promise.all(
        variants.map((v) => startEngine({ ...engineOptions, queue: v.queue.name })),
      );
      let running = true;
      const producers = variants.map((v) => produce(v.queue, v.prefix, v.produced, () => running));

      // The first job first sent after the kill to complete, per variant, from the ledger.
      let killedAt = Number.POSITIVE_INFINITY;
      let watching = true;
      const watcher = (async () => {
        let seen = 0;
        while (watching) {
          const lines = readLedger(ledger);
          const now = performance.now();
          // From the last line seen: it may have been read half written.
          for (const { id } of lines.slice(Math.max(0, seen - 1))) {
            const variant = variants.find((v) => id.startsWith(`${v.prefix}-`));
            const sent = variant?.produced.firstSent.get(id);
            if (variant && variant.resumedS === undefined && sent !== undefined && sent > killedAt) {
              variant.resumedS = (now - killedAt) / 1000;
            }
          }
          seen = lines.length;
          await sleep(25);
        }
      })();

      await sleep(RUN_BEFORE_KILL_MS);
      const inFlightAtKill = engines.map((e) => e.inFlight);
      await victim.server.kill();
      killedAt = performance.now();
      // A replica takes over; then the old master comes back on its AOF, as the new one's replica
      // (until then the new master has no replica to confirm a WAIT).
      await waitFor(
        'a replica to take over',
        async () => !(await cluster.masters()).includes(victim.address),
      );
      const failoverS = (performance.now() - killedAt) / 1000;
      await victim.server.restart();
      await sleep(Math.max(0, RUN_AFTER_KILL_MS - (performance.now() - killedAt)));
      running = false;
      await Promise.all(producers);

      // Let every acknowledged job run (or the queues empty), then count.
      const allAcked = variants.flatMap((v) => [...v.produced.acked.keys()]);
      await waitFor('every acknowledged job to run, or the queues to empty', async () => {
        const ran = new Set(readLedger(ledger).map((l) => l.id));
        if (allAcked.every((id) => ran.has(id))) return true;
        const counts = await Promise.all(variants.map((v) => v.queue.counts()));
        return counts.every((c) => c.waiting + c.active + c.delayed === 0);
      });
      watching = false;
      await watcher;

      // The wake subscriber sat on the killed master: an idle engine must still be woken at once.
      const wakeQueue = openQueue(waker.name, { connection });
      const wakeMs = await wakeLatency(wakeQueue, () => waker.engine.state);
      await Promise.all([...engines, waker.engine].map((e) => e.stop()));

      const runs = new Map<string, number>();
      for (const { id } of readLedger(ledger)) runs.set(id, (runs.get(id) ?? 0) + 1);
      const figures = [];
      for (const v of variants) {
        const mine = (id: string) => id.startsWith(`${v.prefix}-`);
        const acked = [...v.produced.acked];
        const notRun = acked.filter(([id]) => !runs.has(id)).map(([id]) => id);
        const kept = await Promise.all(notRun.map((id) => v.queue.redis.hexists(v.queue.keys.jobs, id)));
        const lost = notRun.filter((_, i) => kept[i] === 0);
        const ackedAfterKill = acked.filter(([, at]) => at > killedAt).map(([id]) => id);
        const duplicated = [...runs].filter(([id, n]) => mine(id) && n > 1).map(([id]) => id);
        const line = {
          acked: acked.length,
          ackedAfterKill: ackedAfterKill.length,
          lost: lost.length,
          duplicates: duplicated.length,
          resumeS: v.resumedS === undefined ? null : Number(v.resumedS.toFixed(2)),
          rejectedAdds: Object.fromEntries(v.produced.errors),
          longestAddS: Number((v.produced.longestAddMs / 1000).toFixed(2)),
        };
        figures.push(line);
        console.log(`failover ${v.label}: ${JSON.stringify(line)}`);

        expect(v.resumedS, `${v.label}: a job sent after the kill completed`).toBeDefined();
        expect(v.resumedS as number, `${v.label}: seconds to resume`).toBeLessThanOrEqual(RESUME_BOUND_S);
        expect(
          ackedAfterKill.filter((id) => !runs.has(id)),
          `${v.label}: acknowledged after the kill and never run`,
        ).toEqual([]);
        expect(notRun, `${v.label}: acknowledged, never run, yet still in Redis`).toEqual(lost);
        // One fault gives a job at most one more run (its lease or settle lost with the master)...
        expect(
          duplicated.filter((id) => (runs.get(id) as number) > 2),
          `${v.label}: run more than twice`,
        ).toEqual([]);
        // ...and a job sent after the kill lives on the new master only: it runs exactly once.
        expect(
          duplicated.filter((id) => (v.produced.firstSent.get(id) as number) > killedAt),
          `${v.label}: sent after the kill and run twice`,
        ).toEqual([]);
        expect(
          [...runs.keys()].filter((id) => mine(id) && !v.produced.firstSent.has(id)),
          `${v.label}: ran but never sent`,
        ).toEqual([]);
      }
      expect(figures[1]?.lost, 'adds acknowledged by a replica lost in the failover').toBe(0);
      expect(wakeMs, 'ms for an idle engine to take a job after its subscriber node died').toBeLessThan(500);
      console.log(
        `failover: replica took over in ${failoverS.toFixed(2)} s; in flight at the kill ${inFlightAtKill.join(', ')}; ` +
          `idle engine woken in ${Math.round(wakeMs)} ms`,
      );
      await Promise.all([...variants.map((v) => v.queue), wakeQueue].map((q) => q.close()));
    } finally {
      // Before the cluster goes: a failed run's engines and queues need it to close.
      await closeTracked();
      await cluster.stop();
    }
  });
});
