import { describe, expect, it } from 'vitest';
import { call, expectError, makeDead, testApp } from './support.js';

const ERRORS = [
  { name: 'TypeError', message: 'cannot read user' },
  { name: 'Error', message: 'SMTP timeout' },
  { name: 'TypeError', message: 'cannot read order' },
  { name: 'TypeError', message: 'cannot read cart' },
  { name: 'Error', message: 'smtp refused' },
  { name: 'HttpError', message: 'upstream said 503' },
];

type Group = { id: string; label: string; count: number; lastDeadAt: number };

async function groups(app: Parameters<typeof call>[0], queue: string): Promise<Group[]> {
  const { status, body } = await call(app, { url: `/api/queues/${queue}/dead/groups` });
  expect(status).toBe(200);
  return body.groups;
}

describe('dead-letter group routes', () => {
  it('lists the groups largest first with the contract fields, and pages through one group', async () => {
    const { app, queue, close } = testApp('groups-list');
    const ids = await makeDead(queue, ERRORS);
    const listed = await groups(app, queue.name);
    expect(listed.map((g) => [g.label, g.count])).toEqual([
      ['TypeError', 3],
      ['Error', 2],
      ['HttpError', 1],
    ]);
    expect(listed[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      label: 'TypeError',
      count: 3,
      lastDeadAt: Number(await queue.redis.zscore(queue.keys.dead, ids[3] as string)),
    });

    const url = `/api/queues/${queue.name}/dead/groups/${listed[0]?.id}`;
    const page = await call(app, { url: `${url}?offset=1&limit=1` });
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.items.map((d: { id: string }) => d.id)).toEqual([ids[2]]);
    expect(page.body.items[0]).toMatchObject({ id: ids[2], payload: { i: 2 }, reason: 'error' });
    const all = await call(app, { url: `${url}?limit=1000` });
    expect(all.body.items.map((d: { id: string }) => d.id)).toEqual([ids[3], ids[2], ids[0]]);
    await close();
  });

  it('retries one group: exactly its letters go back to the queue, and the group is gone', async () => {
    const { app, queue, close } = testApp('groups-retry');
    const ids = await makeDead(queue, ERRORS);
    const [typeErrors] = await groups(app, queue.name);
    const res = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/groups/${typeErrors?.id}/retry`,
    });
    expect(res).toMatchObject({ status: 200, body: { retried: 3 } });
    expect((await queue.redis.lrange(queue.keys.pending, 0, -1)).sort()).toEqual(
      [ids[0], ids[2], ids[3]].sort(),
    );
    expect((await groups(app, queue.name)).map((g) => g.label)).toEqual(['Error', 'HttpError']);
    const again = await call(app, {
      method: 'POST',
      url: `/api/queues/${queue.name}/dead/groups/${typeErrors?.id}/retry`,
    });
    expect(again.body).toEqual({ retried: 0 });
    await close();
  });

  it('deletes one group: exactly its letters are deleted', async () => {
    const { app, queue, close } = testApp('groups-delete');
    const ids = await makeDead(queue, ERRORS);
    const errors = (await groups(app, queue.name)).find((g) => g.label === 'Error');
    const res = await call(app, {
      method: 'DELETE',
      url: `/api/queues/${queue.name}/dead/groups/${errors?.id}`,
    });
    expect(res).toMatchObject({ status: 200, body: { deleted: 2 } });
    expect(await queue.getJob(ids[1] as string)).toBeUndefined();
    expect(await queue.getJob(ids[4] as string)).toBeUndefined();
    expect((await queue.counts()).dead).toBe(4);
    expect((await groups(app, queue.name)).map((g) => [g.label, g.count])).toEqual([
      ['TypeError', 3],
      ['HttpError', 1],
    ]);
    await close();
  });

  it('refuses a malformed group id, a query or a body it does not know, and changes nothing', async () => {
    const { app, queue, close } = testApp('groups-refuse');
    await makeDead(queue, ERRORS);
    const base = `/api/queues/${queue.name}/dead/groups`;
    for (const bad of ['ABCDEF012345', 'xyz', '0123456789abc', 'g'.repeat(12)]) {
      expectError(await call(app, { url: `${base}/${bad}` }), 400, 'INVALID_REQUEST');
      expectError(await call(app, { method: 'POST', url: `${base}/${bad}/retry` }), 400, 'INVALID_REQUEST');
      expectError(await call(app, { method: 'DELETE', url: `${base}/${bad}` }), 400, 'INVALID_REQUEST');
    }
    const [group] = await groups(app, queue.name);
    expectError(await call(app, { url: `${base}?all=1` }), 400, 'INVALID_REQUEST');
    expectError(
      await call(app, { method: 'POST', url: `${base}/${group?.id}/retry`, payload: { force: true } }),
      400,
      'INVALID_REQUEST',
    );
    expectError(await call(app, { url: `/api/queues/nope/dead/groups` }), 404, 'QUEUE_NOT_FOUND');
    expect((await queue.counts()).dead).toBe(ERRORS.length);
    expect(await call(app, { url: `${base}/0123456789ab` })).toMatchObject({
      status: 200,
      body: { total: 0, items: [] },
    });
    await close();
  });
});
