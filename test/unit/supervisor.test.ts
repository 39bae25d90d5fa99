import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG, GIVE_UP_AFTER, nextAfterCrash, restartDelay } from '../../dist/cli/supervisor.js';

describe('restartDelay', () => {
  it('starts at 250 ms and doubles with each quick crash', () => {
    expect([1, 2, 3, 4, 5, 6].map(restartDelay)).toEqual([250, 500, 1000, 2000, 4000, 8000]);
  });

  it('never goes below 250 ms', () => {
    expect(restartDelay(0)).toBe(250);
    expect(restartDelay(-3)).toBe(250);
  });

  it('uses 78 (EX_CONFIG) for a configuration the supervisor must not retry', () => {
    expect(EXIT_CONFIG).toBe(78);
  });
});

describe('nextAfterCrash', () => {
  it('restarts the first quick crash within a second, then backs off by doubling', () => {
    expect([1, 2, 3, 4].map(nextAfterCrash)).toEqual([250, 500, 1000, 2000]);
  });

  it('gives up on the fifth quick crash in a row and on any later one', () => {
    expect(GIVE_UP_AFTER).toBe(5);
    expect(nextAfterCrash(5)).toBe('give-up');
    expect(nextAfterCrash(6)).toBe('give-up');
    expect(nextAfterCrash(100)).toBe('give-up');
  });

  it('spends under 5 s of restart delays on a slot before giving up', () => {
    let waited = 0;
    let streak = 1;
    for (let next = nextAfterCrash(streak); next !== 'give-up'; next = nextAfterCrash(++streak)) {
      waited += next;
    }
    expect(streak).toBe(GIVE_UP_AFTER);
    expect(waited).toBe(3750);
  });
});
