import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { prepareJobOptions } from '../dist/job/job-options.js';
import { recordBody } from '../dist/job/record.js';
import { encodeDefinition, prepareSchedule } from '../dist/job/schedules.js';
import { acquire } from '../dist/redis/acquire.js';
import { cancel } from '../dist/redis/cancel.js';
import { deleteDead, editDead, retryAllDead, retryDead } from '../dist/redis/dlq.js';
import { drainStep } from '../dist/redis/drain.js';
import { type EnqueueItem, enqueue, enqueueReplicated } from '../dist/redis/enqueue.js';
import { heartbeat } from '../dist/redis/heartbeat.js';
import { queueKeys } from '../dist/redis/keys.js';
import { obliterate } from '../dist/redis/obliterate.js';
import { writeProgress } from '../dist/redis/progress.js';
import { promote } from '../dist/redis/promote.js';
import { queueMetrics } from '../dist/redis/queue-metrics.js';
import { reap } from '../dist/redis/reap.js';
import { release } from '../dist/redis/release.js';
import { trimRetained } from '../dist/redis/retention.js';
import { fireSchedule, upsertSchedule } from '../dist/redis/schedules.js';
import { type ScriptName, scriptsByDigest } from '../dist/redis/scripts.js';
import { settle } from '../dist/redis/settle.js';
import { timeMs } from '../dist/redis/time.js';
import { queueName, redisClient, singleServer } from './helpers/index.js';

/** One KEYS line of a script's contract header: `KEYS[n] name TYPE sluice:{q}:<suffix>`. */
interface Declared {
  index: number;
  /** `KEYS[n..]`: this line declares every key from n on. */
  onwards: boolean;
  type: string;
  pattern: string;
}

const KEY_LINE =
  /^KEYS\[(?<index>\d+)(?<onwards>\.\.)?\]\s+\S+\s+(?<type>LIST|HASH|ZSET|STRING|STREAM|SET|KEY)\s+(?<pattern>sluice:\{q\}:\S+)/;

/** The KEYS lines of lua/<script>.lua's header; a KEYS line in any other form throws. */
function declaredKeys(script: ScriptName): Declared[] {
  const text = readFileSync(new URL(`../lua/${script}.lua`, import.meta.url), 'utf8');
  const header = text.slice(0, text.indexOf(']]'));
  const declared: Declared[] = [];
  for (const line of header.split('\n').filter((l) => l.startsWith('KEYS['))) {
    const fields = KEY_LINE.exec(line)?.groups;
    if (fields === undefined)
      throw new Error(`${script}.lua: not "KEYS[n] name TYPE sluice:{q}:<suffix>": ${line}`);
    declared.push({
      index: Number(fields.index),
      onwards: fields.onwards !== undefined,
      type: fields.type as string,
      pattern: fields.pattern as string,
    });
  }
  return declared;
}

/** The line that declares KEYS[index]: its own, else the last `KEYS[n..]` with n <= index. */
function lineFor(declared: readonly Declared[], index: number): Declared | undefined {
  return (
    declared.find((d) => d.index === index) ??
    declared.filter((d) => d.onwards && d.index <= index).reverse()[0]
  );
}

/**
 * A declared pattern as a RegExp: `{q}` is the queue's hash tag, `<priority>` a priority with a
 * list of its own, `<name>` a key name, and `[...]` an optional part.
 */
function patternRegExp(pattern: string, tag: string): RegExp {
  let source = '';
  for (const token of pattern.match(/\{q\}|<[a-z]+>|\[|\]|[^{<[\]]+|./g) ?? []) {
    if (token === '{q}') source += `\\{${literal(tag)}\\}`;
    else if (token === '<priority>') source += '[1245]';
    else if (token === '<name>') source += '[a-z]+(?:-[a-z]+)*';
    else if (token === '[') source += '(?:';
    else if (token === ']') source += ')?';
    else source += literal(token);
  }
  return new RegExp(`^${source}$`);
}

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Sent {
  script: ScriptName;
  keys: string[];
}

/**
 * Wraps `redis.sendCommand` to note the script and KEYS of every EVALSHA and EVAL it sends (a
 * defined command's, a pipeline's and a MULTI's alike); each call still goes to Redis.
 */
function recordScripts(redis: Redis): Sent[] {
  const byDigest = scriptsByDigest();
  const sent: Sent[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, ...rest) => {
    if (command.name === 'evalsha' || command.name === 'eval') {
      const [first, count, ...keysAndArgs] = command.args.map(String);
      const digest = command.name === 'eval' ? createHash('sha1').update(String(first)).digest('hex') : first;
      const script = byDigest.get(String(digest));
      if (script === undefined) throw new Error(`a script the loader does not know was sent: ${digest}`);
      sent.push({ script, keys: keysAndArgs.slice(0, Number(count)) });
    }
    return send(command, ...rest);
  };
  return sent;
}

/** What is wrong with the keys of one call, measured against its script's header. */
function mismatches({ script, keys }: Sent, tag: string): string[] {
  const declared = declaredKeys(script);
  const wrong: string[] = [];
  keys.forEach((key, i) => {
    const index = i + 1;
    const line = lineFor(declared, index);
    if (line === undefined) wrong.push(`${script}: KEYS[${index}] ${key} is not declared in its header`);
    else if (!patternRegExp(line.pattern, tag).test(key)) {
      wrong.push(`${script}: KEYS[${index}] is ${key}, its header declares ${line.pattern}`);
    }
  });
  return wrong;
}

const job = (body: string, extra: Partial<EnqueueItem> = {}): EnqueueItem => ({
  body,
  due: { delay: 0 },
  jobId: undefined,
  prioritised: false,
  ...extra,
});

describe('script contracts: KEYS', () => {
  it('every src/redis wrapper sends its KEYS in the order, and of the form, its script header declares', async () => {
    const redis = singleServer(redisClient());
    const name = queueName('script-keys');
    const keys = queueKeys(name);
    const sent = recordScripts(redis);
    try {
      await redis.xadd(keys.events, '*', 'type', 'on', 'ids', ''); // the scripts write events only to a stream that exists
      const plain = recordBody('', '{"n":1}');
      const urgent = recordBody(prepareJobOptions({ priority: 1 }).header, '{"n":2}');
      const ids = await enqueue(redis, keys, [job(plain), job(plain), job(plain), job(plain)]);
      await enqueue(redis, keys, [job(plain, { jobId: 'later', due: { delay: 60_000 } })]);
      await enqueueReplicated(redis, keys, [job(urgent, { prioritised: true })], { count: 0, timeoutMs: 0 });
      await redis.hset(keys.retention, 'completed-count', 1);

      const leased = await acquire(redis, keys, 10, 60_000, 100);
      const [done, failed, unstarted, stalled, last] = leased.jobs;
      if (!done || !failed || !unstarted || !stalled || !last) throw new Error('expected five leases');
      await writeProgress(redis, keys, [{ id: done.id, token: done.token, json: '1' }]);
      const entry = JSON.stringify({ name: 'Error', message: 'no', reason: 'error', at: 0 });
      await settle(
        redis,
        keys,
        [{ id: done.id, token: done.token }],
        [{ id: failed.id, token: failed.token, retryInMs: -1, entry }],
        { max: 1, leaseMs: 60_000, promoteLimit: 100 },
      );
      await release(redis, keys, [unstarted]);
      await redis.zadd(keys.active, 0, stalled.id);
      await reap(redis, keys, 100);
      await editDead(redis, keys, failed.id, '{"n":3}');
      await retryDead(redis, keys, [failed.id]);
      await retryAllDead(redis, keys);
      await deleteDead(redis, keys, [failed.id]);
      await trimRetained(redis, keys, 100);
      await promote(redis, keys, ['later']);
      await cancel(redis, keys, [ids[0] as string, last.id]);

      const now = timeMs(await redis.time());
      await heartbeat(redis, keys, {
        info: { id: 'e1', host: 'h', pid: 1, threads: 1, inFlight: 0, jobsPerSec: 0, startedAt: now },
        engineTtlMs: 60_000,
        historySeconds: 60,
        knownEpoch: '',
        freshEpoch: 'epoch',
      });
      const schedule = prepareSchedule({ every: 60_000 }, { payload: 1, opts: { priority: 2 } }, 1024);
      const first = await upsertSchedule(
        redis,
        keys,
        'tick',
        schedule.specJson,
        encodeDefinition(schedule),
        (at) => at - 1,
      );
      await fireSchedule(redis, keys, 'tick', first.next, first.next + 60_000, schedule.specJson);
      await queueMetrics(redis, keys);

      // Each key a script was given holds what its header says, once something wrote it.
      const types = new Map<string, string>();
      for (const call of sent) {
        const declared = declaredKeys(call.script);
        call.keys.forEach((key, i) => {
          const line = lineFor(declared, i + 1);
          if (line !== undefined && line.type !== 'KEY') types.set(key, line.type.toLowerCase());
        });
      }
      const wrongTypes: string[] = [];
      for (const [key, type] of types) {
        const actual = await redis.type(key);
        if (actual !== 'none' && actual !== type) wrongTypes.push(`${key} is a ${actual}, declared ${type}`);
      }
      expect(wrongTypes).toEqual([]);

      await drainStep(redis, keys);
      await obliterate(redis, keys, true);

      expect(new Set(sent.map((call) => call.script))).toEqual(new Set(scriptsByDigest().values()));
      expect(sent.flatMap((call) => mismatches(call, name))).toEqual([]);
      // Every fixed KEYS line is sent by some call: a header declares no key its wrapper never gives.
      for (const script of new Set(sent.map((call) => call.script))) {
        const most = Math.max(
          ...sent.filter((call) => call.script === script).map((call) => call.keys.length),
        );
        const fixed = declaredKeys(script).filter((d) => !d.onwards);
        expect(most, `${script}: keys sent against KEYS lines declared`).toBeGreaterThanOrEqual(
          Math.max(0, ...fixed.map((d) => d.index)),
        );
      }
    } finally {
      await redis.quit();
    }
  });
});
