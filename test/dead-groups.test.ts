import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type Queue } from '../dist/index.js';
import { acquire } from '../dist/redis/acquire.js';
import { GROUP_CHUNK } from '../dist/redis/dead-groups.js';
import { deadGroupKey } from '../dist/redis/keys.js';
import { reap } from '../dist/redis/reap.js';
import { settle } from '../dist/redis/settle.js';
import { handlerPath, openQueue, queueName, rejection, startEngine, waitFor } from './helpers/index.js';

/** An error entry thrown by `name` at `site` (`file.js:line`), as the engine would store it. */
function entry(name: string, site: string, message = 'boom'): string {
  const stack = `${name}: ${message}\n    at work (/srv/app/${site}:7)\n    at node:internal/process/task_queues:95:5`;
  return JSON.stringify({ name, message, stack, reason: 'error', at: Date.now() });
}

/** Adds n jobs (attempts 1) and dead-letters them through acquire + settle, each with `entryOf(i)`. */
async function makeDead(queue: Queue, n: number, entryOf: (i: number) => string): Promise<string[]> {
  const ids = await queue.addBulk(
    Array.from({ length: n }, (_, i) => ({ payload: { i }, opts: { attempts: 1 } })),
  );
  const leased: { id: string; token: number }[] = [];
  while (leased.length < n) leased.push(...(await acquire(queue.redis, queue.keys, 1000, 60_000, 100)).jobs);
  const failures = leased.map(({ id, token }) => ({
    id,
    token,
    retryInMs: -1,
    entry: entryOf(ids.indexOf(id)),
  }));
  for (let i = 0; i < n; i += 1000) {
    expect((await settle(queue.redis, queue.keys, [], failures.slice(i, i + 1000))).dead).toBe(
      Math.min(1000, n - i),
    );
  }
  return ids;
}

/**
 * The index is exact: every dead letter is in exactly one group, with its dead-at time, no other
 * id is in any group, and every group listed has members (no empty group keys are left behind).
 */
async function expectIndexExact(queue: Queue): Promise<void> {
  const { redis, keys } = queue;
  const dead = new Map<string, number>();
  const range = await redis.zrange(keys.dead, 0, -1, 'WITHSCORES');
  for (let i = 0; i < range.length; i += 2) dead.set(range[i] as string, Number(range[i + 1]));

  const fingerprints = await redis.hgetall(keys['dead-fingerprints']);
  expect(Object.keys(fingerprints).sort()).toEqual([...dead.keys()].sort());

  const labels = await redis.hgetall(keys['dead-groups']);
  const expected = new Map<string, Map<string, number>>();
  for (const [id, group] of Object.entries(fingerprints)) {
    if (!expected.has(group)) expected.set(group, new Map());
    expected.get(group)?.set(id, dead.get(id) as number);
  }
  expect(Object.keys(labels).sort()).toEqual([...expected.keys()].sort());
  for (const [group, members] of expected) {
    const stored = await redis.zrange(deadGroupKey(keys, group), 0, -1, 'WITHSCORES');
    const got = new Map<string, number>();
    for (let i = 0; i < stored.length; i += 2) got.set(stored[i] as string, Number(stored[i + 1]));
    expect(got).toEqual(members);
  }
  const groupKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys['dead-groups']}:*`, 'COUNT', 1000);
    groupKeys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  expect(groupKeys.sort()).toEqual([...expected.keys()].map((g) => deadGroupKey(keys, g)).sort());

  const groups = await queue.deadGroups();
  expect(groups.reduce((n, g) => n + g.count, 0)).toBe(dead.size);
  for (const g of groups) expect(g.count).toBe(expected.get(g.id)?.size);
}

describe('dead-letter groups', () => {
  it('files jobs that die at two throw sites in two groups, with their counts, labels and members', async () => {
    const name = queueName('groups-engine');
    const queue = openQueue(name);
    const engine = await startEngine({
      queue: name,
      handler: handlerPath('two-errors'),
      janitorIntervalMs: 50,
    });
    const typeIds = await queue.addBulk(
      [1, 2, 3].map((n) => ({ payload: { kind: 'type', n }, opts: { attempts: 1 } })),
    );
    const rangeIds = await queue.addBulk(
      [4, 5].map((n) => ({ payload: { kind: 'range', n }, opts: { attempts: 1 } })),
    );
    await waitFor('5 dead letters', async () => (await queue.counts()).dead === 5);
    await engine.stop();

    const groups = await queue.deadGroups();
    expect(groups).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{12}$/),
        label: 'TypeError at two-errors.js:12',
        count: 3,
        lastDeadAt: expect.any(Number),
      },
      {
        id: expect.stringMatching(/^[0-9a-f]{12}$/),
        label: 'RangeError at two-errors.js:14',
        count: 2,
        lastDeadAt: expect.any(Number),
      },
    ]);
    const [typeGroup, rangeGroup] = groups;
    const members = async (id: string) => (await queue.listDeadGroup(id)).items.map((d) => d.id).sort();
    expect(await members(typeGroup?.id as string)).toEqual([...typeIds].sort());
    expect(await members(rangeGroup?.id as string)).toEqual([...rangeIds].sort());
    const page = await queue.listDeadGroup(typeGroup?.id as string, { offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.errors[0]).toMatchObject({ name: 'TypeError', reason: 'error' });
    const newest = (await queue.listDead()).items.find((d) => typeIds.includes(d.id))?.deadAt;
    expect(typeGroup?.lastDeadAt).toBe(newest);
    await expectIndexExact(queue);
    await queue.close();
  });

  it('files a job dead-lettered by lease expiry in the CrashedError group', async () => {
    const queue = openQueue(queueName('groups-crash'));
    const { redis, keys } = queue;
    const orphan = await queue.add({ orphan: true }, { attempts: 1 });
    expect((await acquire(redis, keys, 10, 100, 100)).jobs.map((j) => j.id)).toEqual([orphan]);
    await makeDead(queue, 2, () => entry('TypeError', 'handler.js:12'));
    await sleep(150);
    expect((await reap(redis, keys, 100)).deadLettered).toBe(1);

    const groups = await queue.deadGroups();
    expect(groups.map(({ label, count }) => ({ label, count }))).toEqual([
      { label: 'TypeError at handler.js:12', count: 2 },
      { label: 'CrashedError', count: 1 },
    ]);
    const crashed = await queue.listDeadGroup(groups[1]?.id as string);
    expect(crashed.items.map((d) => [d.id, d.reason])).toEqual([[orphan, 'crashed']]);
    await expectIndexExact(queue);
    await queue.close();
  });

  it('retryDeadGroup moves exactly its members, over more than one chunk, and the group empties', async () => {
    const queue = openQueue(queueName('groups-retry'));
    const n = GROUP_CHUNK * 2 + 7;
    const ids = await makeDead(queue, n + 3, (i) =>
      i < n ? entry('TypeError', 'a.js:1', `boom ${i}`) : entry('RangeError', 'b.js:2'),
    );
    const [big, small] = await queue.deadGroups();
    expect([big?.count, small?.count]).toEqual([n, 3]);

    expect(await queue.retryDeadGroup(big?.id as string)).toBe(n);
    expect(new Set(await queue.redis.lrange(queue.keys.pending, 0, -1))).toEqual(new Set(ids.slice(0, n)));
    expect((await queue.redis.zrange(queue.keys.dead, 0, -1)).sort()).toEqual(ids.slice(n).sort());
    expect(await queue.deadGroups()).toEqual([expect.objectContaining({ id: small?.id, count: 3 })]);
    expect(await queue.listDeadGroup(big?.id as string)).toEqual({ total: 0, items: [] });
    expect(await queue.counts()).toMatchObject({ redriven: n, waiting: n, dead: 3 });
    await expectIndexExact(queue);
    expect(await queue.retryDeadGroup(big?.id as string)).toBe(0);
    await queue.close();
  });

  it('deleteDeadGroup deletes exactly its members and everything kept about them', async () => {
    const queue = openQueue(queueName('groups-delete'));
    const ids = await makeDead(queue, 6, (i) =>
      i < 4 ? entry('TypeError', 'a.js:1') : entry('RangeError', 'b.js:2'),
    );
    const [big] = await queue.deadGroups();
    expect(await queue.deleteDeadGroup(big?.id as string)).toBe(4);
    expect((await queue.redis.zrange(queue.keys.dead, 0, -1)).sort()).toEqual(ids.slice(4).sort());
    expect(await queue.redis.hmget(queue.keys.jobs, ...ids.slice(0, 4))).toEqual([null, null, null, null]);
    expect(await queue.getJob(ids[0] as string)).toBeUndefined();
    expect((await queue.deadGroups()).map((g) => [g.label, g.count])).toEqual([['RangeError at b.js:2', 2]]);
    await expectIndexExact(queue);
    await queue.close();
  });

  it('deleteDead, retryDead, editDeadAndRetry, purgeDead and retryAllDead keep every group equal to its dead letters', async () => {
    const queue = openQueue(queueName('groups-exact'));
    const ids = await makeDead(queue, 12, (i) =>
      i % 3 === 0
        ? entry('TypeError', 'a.js:1')
        : i % 3 === 1
          ? entry('RangeError', 'b.js:2')
          : entry('Error', 'c.js:3'),
    );
    await expectIndexExact(queue);
    const count = async (label: string) => (await queue.deadGroups()).find((g) => g.label === label)?.count;

    expect(await queue.deleteDead(ids[0] as string)).toBe(1);
    expect(await count('TypeError at a.js:1')).toBe(3);
    await expectIndexExact(queue);

    expect(await queue.retryDead([ids[1] as string, ids[4] as string])).toBe(2);
    expect(await count('RangeError at b.js:2')).toBe(2);
    await expectIndexExact(queue);

    expect(await queue.editDeadAndRetry(ids[2] as string, { fixed: true })).toBe(true);
    expect(await count('Error at c.js:3')).toBe(3);
    await expectIndexExact(queue);

    // the redriven jobs die again, at another site: they join that group
    const redriven = [ids[1], ids[4], ids[2]] as string[];
    await makeDeadAgain(queue, redriven, entry('SyntaxError', 'd.js:4'));
    expect(await count('SyntaxError at d.js:4')).toBe(3);
    await expectIndexExact(queue);

    expect(await queue.purgeDead()).toBe(11);
    expect(await queue.deadGroups()).toEqual([]);
    await expectIndexExact(queue);

    await makeDead(queue, 5, () => entry('TypeError', 'a.js:1'));
    expect(await queue.retryAllDead()).toBe(5);
    expect(await queue.deadGroups()).toEqual([]);
    await expectIndexExact(queue);
    await queue.close();
  });

  it('a damaged letter stays dead and in its group when the group is retried', async () => {
    const queue = openQueue(queueName('groups-damaged'));
    const ids = await makeDead(queue, 4, () => entry('TypeError', 'a.js:1'));
    await queue.redis.hset(queue.keys.jobs, ids[0] as string, 'garbage');
    const [group] = await queue.deadGroups();
    expect(await queue.retryDeadGroup(group?.id as string)).toBe(3);
    expect(await queue.deadGroups()).toEqual([expect.objectContaining({ id: group?.id, count: 1 })]);
    await expectIndexExact(queue);
    expect(await queue.deleteDeadGroup(group?.id as string)).toBe(1);
    await expectIndexExact(queue);
    await queue.close();
  });

  it('runs the README "Dead-letter triage" example: largest group retried, the next deleted', async () => {
    const queue = openQueue(queueName('groups-readme'));
    const ids = await makeDead(queue, 7, (i) =>
      i < 4 ? entry('TypeError', 'handler.js:12') : entry('Error', 'smtp.js:3'),
    );

    const groups = await queue.deadGroups(); // largest first
    expect(groups).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{12}$/),
        label: 'TypeError at handler.js:12',
        count: 4,
        lastDeadAt: expect.any(Number),
      },
      {
        id: expect.stringMatching(/^[0-9a-f]{12}$/),
        label: 'Error at smtp.js:3',
        count: 3,
        lastDeadAt: expect.any(Number),
      },
    ]);
    const page = await queue.listDeadGroup(groups[0]?.id as string, { offset: 0, limit: 50 });
    expect(page.total).toBe(4);
    expect(page.items.map((d) => d.id).sort()).toEqual(ids.slice(0, 4).sort());
    expect(await queue.retryDeadGroup(groups[0]?.id as string)).toBe(4);
    expect(await queue.deleteDeadGroup(groups[1]?.id as string)).toBe(3);
    expect(await queue.counts()).toMatchObject({ waiting: 4, dead: 0 });
    expect(await queue.deadGroups()).toEqual([]);
    await queue.close();
  });

  it('refuses a malformed group id with INVALID_OPTION; an unknown one is an empty group', async () => {
    const queue = openQueue(queueName('groups-ids'));
    for (const bad of ['', 'ABCDEF012345', 'abc', '0123456789abc', '../x']) {
      expect(await rejection(() => queue.retryDeadGroup(bad))).toMatchObject({
        code: ErrorCode.INVALID_OPTION,
      });
      expect(await rejection(() => queue.listDeadGroup(bad))).toMatchObject({
        code: ErrorCode.INVALID_OPTION,
      });
      expect(await rejection(() => queue.deleteDeadGroup(bad))).toMatchObject({
        code: ErrorCode.INVALID_OPTION,
      });
    }
    expect(await queue.listDeadGroup('0123456789ab')).toEqual({ total: 0, items: [] });
    expect(await queue.retryDeadGroup('0123456789ab')).toBe(0);
    expect(await queue.deleteDeadGroup('0123456789ab')).toBe(0);
    expect(await queue.deadGroups()).toEqual([]);
    await queue.close();
  });
});

/** Leases the given waiting jobs again and dead-letters them with `failure`. */
async function makeDeadAgain(queue: Queue, ids: readonly string[], failure: string): Promise<void> {
  const leased = (await acquire(queue.redis, queue.keys, 1000, 60_000, 100)).jobs;
  expect(leased.map((j) => j.id).sort()).toEqual([...ids].sort());
  const failures = leased.map(({ id, token }) => ({ id, token, retryInMs: -1, entry: failure }));
  expect((await settle(queue.redis, queue.keys, [], failures)).dead).toBe(ids.length);
}
