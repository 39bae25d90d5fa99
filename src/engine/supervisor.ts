import { type ChildProcess, fork } from 'node:child_process';
import type { Logger } from './logger.js';

/** A child that exits with this code was misconfigured: restarting it cannot help. */
export const EXIT_CONFIG = 78;

const QUICK_CRASH_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** Restart delay after `crashes` consecutive quick crashes: 250 ms doubling, capped. */
export function restartDelay(crashes: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** Math.max(0, crashes - 1));
}

/**
 * Runs `count` engine processes (`node entry ...args`) and restarts any that dies, with a
 * backoff that grows while a slot keeps crashing soon after start. SIGTERM/SIGINT are passed on
 * and it resolves once every child has exited; a second signal kills them at once.
 */
export function supervise(
  entry: string,
  args: readonly string[],
  count: number,
  log: Logger,
): Promise<number> {
  const children = new Set<ChildProcess>();
  let stopping = false;
  let exitCode = 0;

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (stopping && children.size === 0) resolve(exitCode);
    };

    const start = (slot: number, crashes: number) => {
      if (stopping) return;
      const startedAt = performance.now();
      const child = fork(entry, [...args], { stdio: 'inherit' });
      children.add(child);
      child.once('exit', (code, signal) => {
        children.delete(child);
        if (stopping) return finishIfDone();
        if (code === EXIT_CONFIG) {
          log.fatal({ slot }, 'engine process refused its configuration; stopping all');
          exitCode = 1;
          stop('SIGTERM');
          return;
        }
        const streak = performance.now() - startedAt < QUICK_CRASH_MS ? crashes + 1 : 1;
        const delay = restartDelay(streak);
        log.error(
          { slot, pid: child.pid, code, signal, restartInMs: delay },
          'engine process died; restarting',
        );
        setTimeout(() => start(slot, streak), delay);
      });
    };

    const stop = (signal: NodeJS.Signals) => {
      stopping = true;
      for (const child of children) child.kill(signal);
      finishIfDone();
    };

    process.once('SIGTERM', () => {
      stop('SIGTERM');
      process.once('SIGTERM', () => stop('SIGKILL'));
    });
    process.once('SIGINT', () => {
      stop('SIGTERM');
      process.once('SIGINT', () => stop('SIGKILL'));
    });

    log.info({ processes: count }, 'supervisor starting engine processes');
    for (let slot = 0; slot < count; slot++) start(slot, 0);
  });
}
