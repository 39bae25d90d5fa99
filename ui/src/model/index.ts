// The monitor's state: one model of signals, computed values and actions (the files beside this
// one), wired here by effects that own the lifecycles: Redis's health, the list of queues (reloaded
// every 30 s) and the stream of the selected queue (both started again when the token changes or
// Redis is back), the engine poll (overview only) and the dead-letter page (dead-letter view only,
// reloaded when the filter, the page, the dead count or our own changes move), and the dead-letter
// groups (groups view only, reloaded likewise).
import { effect } from '@preact/signals';
import { loadAccess, locked, token } from './auth';
import * as browse from './browse';
import * as dead from './dead';
import * as feed from './feed';
import * as groups from './groups';
import { followHealth, recovered } from './health';
import { deadCount, followQueue, pollEngines, tickClock } from './live';
import { every } from './poll';
import * as pressure from './pressure';
import * as redis from './redis';
import { hash, loadQueues, queue, syncHash, view } from './route';
import * as schedules from './schedules';

export * from './auth';
export * as browse from './browse';
export * as dead from './dead';
export * as feed from './feed';
export * as groups from './groups';
export * from './health';
export * as jobs from './jobs';
export * from './live';
export * from './notices';
export * as pressure from './pressure';
export * as redis from './redis';
export * from './route';
export * as schedules from './schedules';

const QUEUE_LIST_MS = 30_000;

export function startModel(): () => void {
  const stops = [
    syncHash(),
    tickClock(),
    followHealth(),
    effect(() => {
      const next = hash.value;
      if (location.hash !== next) history.replaceState(null, '', next);
    }),
    effect(() => {
      token.value;
      recovered.value;
      if (locked.value) return;
      void loadAccess();
      // Reloaded now and then: queues first used in the Redis since the page opened join the list.
      return every(QUEUE_LIST_MS, loadQueues);
    }),
    effect(() => {
      const name = queue.value;
      token.value;
      recovered.value;
      if (name === null || locked.value) return;
      return followQueue(name);
    }),
    effect(() => {
      const name = queue.value;
      if (name === null || view.value !== 'overview' || locked.value) return;
      return pollEngines(name);
    }),
    effect(() => {
      queue.value;
      dead.reset();
      groups.reset();
    }),
    effect(() => {
      const name = queue.value;
      if (name === null || view.value !== 'dead' || locked.value) return;
      dead.applied.value;
      dead.offset.value;
      dead.version.value;
      deadCount.value;
      token.value;
      void dead.load(name);
    }),
    effect(() => {
      const name = queue.value;
      if (name === null || view.value !== 'groups' || locked.value) return;
      groups.version.value;
      deadCount.value;
      token.value;
      void groups.load(name);
    }),
    ...viewEffects(),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

/** The lifecycles of the schedules, job pages, events and overview-panel polls (Redis panel too). */
function viewEffects(): (() => void)[] {
  const shown = (v: string): string | null => {
    const name = queue.value;
    token.value;
    return name === null || view.value !== v || locked.value ? null : name;
  };
  return [
    effect(() => {
      const name = shown('overview');
      return name === null ? undefined : pressure.follow(name);
    }),
    effect(() => (shown('overview') === null ? undefined : redis.follow())),
    effect(() => {
      const name = shown('schedules');
      return name === null ? undefined : schedules.follow(name);
    }),
    effect(() => {
      const name = shown('browse');
      const state = browse.state.value;
      const offset = browse.offset.value;
      browse.version.value;
      return name === null ? undefined : browse.follow(name, state, offset);
    }),
    effect(() => {
      const name = shown('events');
      return name === null ? undefined : feed.follow(name);
    }),
  ];
}
