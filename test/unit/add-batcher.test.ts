import { describe, expect, it } from 'vitest';
import { AddBatcher, BATCH_CHARS, BATCH_WRITES_IN_FLIGHT } from '../../dist/queue/add-batcher.js';
import { ENQUEUE_CHUNK, type EnqueueItem } from '../../dist/redis/enqueue.js';

function item(body: string): EnqueueItem {
  return { body, due: { delay: 0 }, jobId: undefined, prioritised: false };
}

/** A send whose writes stay in flight until the test settles them; ids are the bodies. */
function heldSend() {
  const writes: { bodies: string[]; settle(error?: Error): void }[] = [];
  const send = (items: readonly EnqueueItem[]) =>
    new Promise<string[]>((resolve, reject) => {
      const bodies = items.map((i) => i.body);
      writes.push({ bodies, settle: (error) => (error ? reject(error) : resolve(bodies)) });
    });
  return { writes, send };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AddBatcher', () => {
  it('sends a lone call at once, and joins the calls of one tick into one write', async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    const lone = batcher.add([item('a')]);
    await tick();
    expect(writes.map((w) => w.bodies)).toEqual([['a']]);
    const joined = [batcher.add([item('b')]), batcher.add([item('c'), item('d')]), batcher.add([item('e')])];
    await tick();
    expect(writes.map((w) => w.bodies)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    for (const w of writes) w.settle();
    expect(await lone).toEqual(['a']);
    expect(await Promise.all(joined)).toEqual([['b'], ['c', 'd'], ['e']]);
  });

  it(`holds calls while ${BATCH_WRITES_IN_FLIGHT} writes are in flight, then sends them together in order`, async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    const calls: Promise<string[]>[] = [];
    const bodies = Array.from({ length: BATCH_WRITES_IN_FLIGHT + 3 }, (_, i) => `b${i}`);
    for (const body of bodies) {
      calls.push(batcher.add([item(body)]));
      await tick();
    }
    const alone = bodies.slice(0, BATCH_WRITES_IN_FLIGHT).map((body) => [body]);
    expect(writes.map((w) => w.bodies)).toEqual(alone);
    writes[0]?.settle();
    await tick();
    expect(writes.map((w) => w.bodies)).toEqual([...alone, bodies.slice(BATCH_WRITES_IN_FLIGHT)]);
    for (const w of writes.slice(1)) w.settle();
    expect(await Promise.all(calls)).toEqual(bodies.map((body) => [body]));
  });

  it(`keeps a write to ${BATCH_CHARS} characters of bodies; a larger single call goes alone`, async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    const quarter = 'x'.repeat(BATCH_CHARS / 4);
    const calls = [1, 2, 3, 4, 5].map((n) => batcher.add([item(`${n}${quarter}`)]));
    calls.push(batcher.add([item('y'.repeat(BATCH_CHARS + 1))]));
    await tick();
    // Four quarters and their tags are over the limit: three join, then the rest one write each.
    expect(writes.map((w) => w.bodies.map((b) => b[0]))).toEqual([['1', '2', '3'], ['4', '5'], ['y']]);
    for (const w of writes) w.settle();
    expect((await Promise.all(calls)).map((ids) => ids.length)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('rejects every call of a failed write with its error, and goes on with the next', async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    const first = [batcher.add([item('a')]), batcher.add([item('b')])];
    await tick();
    const next = batcher.add([item('c')]);
    await tick();
    writes[0]?.settle(new Error('OOM command not allowed'));
    for (const call of first) await expect(call).rejects.toThrow('OOM');
    writes[1]?.settle();
    expect(await next).toEqual(['c']);
  });

  it(`keeps a write to ${ENQUEUE_CHUNK} jobs; a larger single call goes alone`, async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => item(`${tag}${i}`));
    const calls = [
      batcher.add(many(ENQUEUE_CHUNK - 1, 'x')),
      batcher.add(many(2, 'y')),
      batcher.add(many(ENQUEUE_CHUNK + 5, 'z')),
    ];
    await tick();
    expect(writes.map((w) => w.bodies.length)).toEqual([ENQUEUE_CHUNK - 1, 2, ENQUEUE_CHUNK + 5]);
    for (const w of writes) w.settle();
    const [x, y, z] = await Promise.all(calls);
    expect([x?.length, y, z?.length]).toEqual([ENQUEUE_CHUNK - 1, ['y0', 'y1'], ENQUEUE_CHUNK + 5]);
  });

  it('idle resolves once every call made so far is written or refused', async () => {
    const { writes, send } = heldSend();
    const batcher = new AddBatcher(send);
    await batcher.idle();
    const calls = [];
    for (const body of ['a', 'b', 'c']) {
      calls.push(batcher.add([item(body)]));
      await tick();
    }
    const outcomes = Promise.allSettled(calls);
    let idle = false;
    const waiting = batcher.idle().then(() => {
      idle = true;
    });
    writes[0]?.settle();
    await tick();
    writes[1]?.settle(new Error('refused'));
    await tick();
    expect(idle).toBe(false);
    writes[2]?.settle();
    await waiting;
    expect(await outcomes).toMatchObject([
      { status: 'fulfilled' },
      { status: 'rejected' },
      { status: 'fulfilled' },
    ]);
  });
});
