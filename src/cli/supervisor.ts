import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, hostname } from 'node:os';
import type { Logger } from '../logger.js';
import { type CliArgs, flagArgv, toArgv } from './args.js';

/** A child that exits with this code was misconfigured: restarting it cannot help. */
export const EXIT_CONFIG = 78;

const QUICK_CRASH_MS = 10_000;

/** Restart delay after `crashes` consecutive quick crashes: doubling with each (GIVE_UP_AFTER bounds it). */
export function restartDelay(crashes: number): number {
  return 250 * 2 ** Math.max(0, crashes - 1);
}

/**
 * Quick crashes in a row after which a slot is given up on: a passing fault gets a few chances,
 * while a process that cannot stay up fails the whole command within seconds instead of looping
 * unnoticed.
 */
export const GIVE_UP_AFTER = 5;

/** What to do after a slot's `streak`-th consecutive quick crash: restart after a delay, or give up. */
export function nextAfterCrash(streak: number): number | 'give-up' {
  return streak >= GIVE_UP_AFTER ? 'give-up' : restartDelay(streak);
}

/**
 * The flags of the supervised child in `slot`: the supervisor's options, but one process, a fixed
 * Redis URL, no API (the supervisor serves it) and the engine name `NAME:slot` (`host:slot`
 * without --engine-name), so a restarted child continues its slot's metric series. Without
 * --threads, the cores are shared out: K processes of cores / K threads each, so `--processes
 * auto` is one thread per core, not cores² threads.
 */
export function childArgv(args: CliArgs, redis: string, slot: number): string[] {
  const shared = toArgv({
    ...args,
    threads: args.threads ?? Math.max(1, Math.floor(availableParallelism() / args.processes)),
    processes: 1,
    redis: undefined,
    startRedis: false,
    api: undefined,
    engineName: undefined,
  });
  return [
    ...shared,
    // Written although it is the default: a child must never supervise, whatever the default.
    ...flagArgv('processes', 1),
    ...flagArgv('redis', redis),
    ...flagArgv('engineName', `${args.engineName ?? hostname()}:${slot}`),
  ];
}

/**
 * Runs `count` engine processes (`node entry ...args(slot)`, slots 0..count-1) and restarts any that dies, with a
 * backoff that grows while a slot keeps crashing soon after start. When a slot crashes quickly
 * GIVE_UP_AFTER times in a row, or a child refuses its configuration, it stops every process and
 * resolves with 1. SIGTERM/SIGINT are passed on and it resolves once every child has exited; a
 * second signal kills them at once.
 */
export function supervise(
  entry: string,
  args: (slot: number) => readonly string[],
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
      const child = fork(entry, [...args(slot)], { stdio: 'inherit' });
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
        const delay = nextAfterCrash(streak);
        if (delay === 'give-up') {
          log.fatal(
            { slot, pid: child.pid, crashes: streak, code, signal },
            `engine process in slot ${slot} crashed ${streak} times in a row, each within ${QUICK_CRASH_MS / 1000} s of starting (last exit: ${signal ?? `code ${code}`}); giving up and stopping every engine process`,
          );
          exitCode = 1;
          stop('SIGTERM');
          return;
        }
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
