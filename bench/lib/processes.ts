import type { ChildProcess } from 'node:child_process';

/**
 * Every process the runner starts (redis-servers, library children) is tracked here and
 * killed when the runner ends: normally, on an error, or on Ctrl-C / SIGTERM.
 */
const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let installed = false;

export function track(child: ChildProcess): ChildProcess {
  install();
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A synchronous cleanup (removing a temp folder) run after the processes are killed. */
export function onCleanup(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: a temp folder left behind is not worth a second error
    }
  }
  cleanups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping every child process and redis-server\n`);
      killAll();
      process.exit(code);
    });
  }
}
