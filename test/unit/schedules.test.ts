import { describe, expect, it } from 'vitest';
import { nextFireTime } from '../../dist/job/schedules.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The next `n` ticks after `from`, each computed from the previous one as the sweep does. */
function ticks(spec: Parameters<typeof nextFireTime>[0], from: string, n: number): string[] {
  const out: string[] = [];
  let now = at(from);
  for (let i = 0; i < n; i++) {
    now = nextFireTime(spec, now, now);
    out.push(iso(now));
  }
  return out;
}

describe('nextFireTime', () => {
  it('an interval keeps its phase and skips the ticks missed while no engine ran', () => {
    const every = { every: 200 };
    expect(nextFireTime(every, 1000, 1000)).toBe(1200);
    expect(nextFireTime(every, 1000, 1199)).toBe(1200);
    expect(nextFireTime(every, 1000, 1200)).toBe(1400);
    // fired 4 s late: one firing, and the next tick is the first after now, on the old phase
    expect(nextFireTime(every, 1000, 5050)).toBe(5200);
  });

  it('a cron without tz is read in UTC, and the next tick is strictly after now', () => {
    expect(iso(nextFireTime({ cron: '0 0 * * *' }, 0, at('2026-01-01T00:00:00Z')))).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(iso(nextFireTime({ cron: '*/15 * * * *' }, 0, at('2026-01-01T10:07:30Z')))).toBe(
      '2026-01-01T10:15:00.000Z',
    );
    expect(iso(nextFireTime({ cron: '*/10 * * * * *' }, 0, at('2026-01-01T10:07:30.500Z')))).toBe(
      '2026-01-01T10:07:40.000Z',
    );
  });

  it('a cron with a tz follows the zone across DST changes (Europe/Berlin, 2026)', () => {
    const nine = { cron: '0 9 * * *', tz: 'Europe/Berlin' };
    // 09:00 local is 08:00Z in winter time and 07:00Z from 29 March (summer time)
    expect(ticks(nine, '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    const twoThirty = { cron: '30 2 * * *', tz: 'Europe/Berlin' };
    // 02:30 does not exist on 29 March (02:00 -> 03:00): that day's tick is 03:30 local
    expect(ticks(twoThirty, '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    // 02:30 happens twice on 25 October (03:00 -> 02:00): it fires once, at the first
    expect(ticks(twoThirty, '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    // an every-30-minutes cron keeps firing every 30 real minutes through the repeated hour
    expect(ticks({ cron: '*/30 * * * *', tz: 'Europe/Berlin' }, '2026-10-25T00:00:00Z', 4)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
  });

  it('a cron skips the ticks missed while no engine ran: the next is the first after now', () => {
    const hourly = { cron: '0 * * * *', tz: 'America/New_York' };
    expect(iso(nextFireTime(hourly, at('2026-05-01T10:00:00Z'), at('2026-05-01T15:20:00Z')))).toBe(
      '2026-05-01T16:00:00.000Z',
    );
  });
});
