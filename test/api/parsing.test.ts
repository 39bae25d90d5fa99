import { describe, expect, it } from 'vitest';
import { toApiError } from '../../dist/api/errors.js';
import { redactUrl } from '../../dist/api/logging.js';
import { errorsMatch } from '../../dist/redis/dead-filter.js';
import { LIVE_ENGINE_MS, liveIds, parseEngineInfo } from '../../dist/redis/engines.js';
import { parseHistoryPoint, pointsSince, rates } from '../../dist/redis/history.js';

describe('pure parts of the operator API', () => {
  it('history rates divide counter differences by the seconds between points, never below 0', () => {
    const points = ['100:10:1', '101:30:1', '104:60:4', 'junk', '105:0:0', '106:5:0']
      .map(parseHistoryPoint)
      .filter((p) => p !== undefined);
    expect(rates(points)).toEqual([
      { t: 101_000, completed: 20, failed: 0 },
      { t: 104_000, completed: 10, failed: 1 },
      { t: 105_000, completed: 0, failed: 0 }, // counters reset (stats hash deleted)
      { t: 106_000, completed: 5, failed: 0 },
    ]);
    expect(rates(points.slice(0, 1))).toEqual([]);
    expect(parseHistoryPoint('1:2:3:4')).toBeUndefined();
    expect(parseHistoryPoint('1.5:2:3')).toBeUndefined();
    expect(pointsSince(['99:1:0', '100:2:0', '101:3:0'], 100).map((p) => p.second)).toEqual([100, 101]);
  });

  it('an engine is live while its heartbeat is under 5 s old; damaged descriptions are skipped', () => {
    const now = 1_000_000;
    expect(
      liveIds(now, [
        'a',
        String(now - LIVE_ENGINE_MS),
        'b',
        String(now - LIVE_ENGINE_MS - 1),
        'c',
        String(now),
      ]),
    ).toEqual(['a', 'c']);
    const info = {
      id: 'h:1:ab',
      host: 'h',
      pid: 1,
      threads: 4,
      inFlight: 2,
      jobsPerSec: 10,
      startedAt: 5,
      seenAt: 6,
    };
    expect(parseEngineInfo(JSON.stringify({ ...info, extra: true }))).toEqual(info);
    expect(parseEngineInfo(JSON.stringify({ ...info, pid: '1' }))).toBeUndefined();
    expect(parseEngineInfo('{"id":')).toBeUndefined();
    expect(parseEngineInfo(undefined)).toBeUndefined();
    expect(parseEngineInfo('null')).toBeUndefined();
  });

  it('a dead-letter search matches error names and messages in any case', () => {
    const entries = [
      { name: 'TypeError', message: 'x', reason: 'error' as const, at: 0 },
      { name: 'Error', message: 'SMTP Timeout', reason: 'timeout' as const, at: 0 },
    ];
    expect(errorsMatch(entries, 'typeerror')).toBe(true);
    expect(errorsMatch(entries, 'smtp timeout')).toBe(true);
    expect(errorsMatch(entries, 'refused')).toBe(false);
    expect(errorsMatch([], 'x')).toBe(false);
  });

  it('logged URLs have every token-like query value blanked', () => {
    expect(redactUrl('/api/queues?token=abc&x=1')).toBe('/api/queues?token=%5BRedacted%5D&x=1');
    expect(redactUrl('/a?ACCESS_TOKEN=s&my_token=t')).toBe(
      '/a?ACCESS_TOKEN=%5BRedacted%5D&my_token=%5BRedacted%5D',
    );
    expect(redactUrl('/a?%74oken=s')).toBe('/a?token=%5BRedacted%5D');
    expect(redactUrl('/plain')).toBe('/plain');
  });

  it('Redis connection failures map to 503, other unknown errors to nothing (a 500)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const retries = Object.assign(new Error('Reached the max retries per request limit'), {
      name: 'MaxRetriesPerRequestError',
    });
    for (const error of [
      refused,
      retries,
      new Error('Connection is closed.'),
      new Error('LOADING Redis is loading'),
    ]) {
      expect(toApiError(error)).toMatchObject({
        statusCode: 503,
        code: 'REDIS_UNAVAILABLE',
        message: 'Redis is not reachable',
      });
    }
    expect(toApiError(new Error('ERR unknown command'))).toBeUndefined();
    expect(toApiError(new TypeError('x is undefined'))).toBeUndefined();
    expect(toApiError('a string')).toBeUndefined();
  });
});
