import { describe, expect, it } from 'vitest';
import { RedisClock } from '../../dist/engine/clock.js';

function fakeMonotonic(start = 0) {
  let now = start;
  return {
    read: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('RedisClock', () => {
  it('knows no time, and refuses to tell one, before a Redis time is observed', () => {
    const clock = new RedisClock(fakeMonotonic().read);
    expect(clock.known).toBe(false);
    expect(() => clock.now()).toThrow(/before any Redis time/);
  });

  it('is the observed Redis time plus the monotonic time elapsed since', () => {
    const mono = fakeMonotonic(500);
    const clock = new RedisClock(mono.read);
    clock.observe(1_700_000_000_000);
    expect(clock.known).toBe(true);
    expect(clock.now()).toBe(1_700_000_000_000);
    mono.advance(250);
    expect(clock.now()).toBe(1_700_000_000_250);
    mono.advance(0.4);
    expect(clock.now()).toBe(1_700_000_000_250); // whole milliseconds
    mono.advance(0.2);
    expect(clock.now()).toBe(1_700_000_000_251);
  });

  it('takes a newer observation over the old offset', () => {
    const mono = fakeMonotonic(0);
    const clock = new RedisClock(mono.read);
    clock.observe(10_000);
    mono.advance(1000);
    clock.observe(50_000); // Redis is ahead of what we computed (11_000)
    expect(clock.now()).toBe(50_000);
    mono.advance(10);
    expect(clock.now()).toBe(50_010);
  });

  it('ignores the wall clock', () => {
    const mono = fakeMonotonic(0);
    const clock = new RedisClock(mono.read);
    clock.observe(123_456);
    expect(clock.now()).toBe(123_456);
    expect(Math.abs(clock.now() - Date.now())).toBeGreaterThan(1_000_000);
  });
});
