// The monitor's state: one model of signals, computed values and actions (the files beside this
// one), wired here by effects that own the lifecycles: the list of queues (reloaded when the token
// changes), the stream of the selected queue, the engine poll (overview only) and the dead-letter
// page (dead-letter view only, reloaded when the filter, the page, the dead count or our own
// changes move), and the dead-letter groups (groups view only, reloaded likewise).
import { effect } from '@preact/signals';
import { locked, token } from './auth';
import * as dead from './dead';
import * as groups from './groups';
import { deadCount, followQueue, pollEngines, tickClock } from './live';
import { hash, loadQueues, queue, syncHash, view } from './route';

export * from './auth';
export * as dead from './dead';
export * as groups from './groups';
export * as jobs from './jobs';
export * from './live';
export * from './notices';
export * from './route';

export function startModel(): () => void {
  const stops = [
    syncHash(),
    tickClock(),
    effect(() => {
      const next = hash.value;
      if (location.hash !== next) history.replaceState(null, '', next);
    }),
    effect(() => {
      token.value;
      if (!locked.value) void loadQueues();
    }),
    effect(() => {
      const name = queue.value;
      token.value;
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
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
