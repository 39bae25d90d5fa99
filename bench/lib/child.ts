import { type ChildProcess, fork } from 'node:child_process';
import { track } from './processes.js';
import type { ChildMessage, ChildTask, ParentMessage } from './protocol.js';

export interface ChildOptions {
  /** Folder for --cpu-prof output, when profiling. */
  cpuProfDir?: string | undefined;
}

type Waiter = { type: ChildMessage['type']; resolve: (m: ChildMessage) => void; reject: (e: Error) => void };

/**
 * A library child process as the runner sees it: typed messages in, typed messages out, and
 * an error when the child reports one or exits before answering.
 */
export class Child {
  readonly #process: ChildProcess;
  readonly #inbox: ChildMessage[] = [];
  readonly #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #rejectFailed: (error: Error) => void = () => {};
  readonly label: string;
  /** Rejects when the child reports an error or exits before it is done (race it with waits). */
  readonly failed: Promise<never>;

  constructor(script: string, task: ChildTask, options: ChildOptions = {}) {
    this.label = `${task.lib} ${task.role}`;
    this.failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    this.failed.catch(() => {});
    const execArgv = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
    // execArgv is set so the child does not inherit tsx's loader: it runs compiled JS, and its
    // worker threads (which inherit execArgv) stay as lean as in production.
    this.#process = track(
      fork(script, [], { execArgv, stdio: ['ignore', 2, 2, 'ipc'], serialization: 'advanced' }),
    );
    this.#process.on('message', (message: ChildMessage) => this.#deliver(message));
    this.#process.once('exit', (code, signal) => {
      this.#fail(new Error(`${this.label} exited (${signal ?? code}) before it was done`));
    });
    this.send({ type: 'task', task });
  }

  send(message: ParentMessage): void {
    if (this.#process.connected) this.#process.send(message);
  }

  /** The next message of this type (earlier ones of other types are kept for later). */
  next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const index = this.#inbox.findIndex((m) => m.type === type);
    if (index >= 0) {
      const [message] = this.#inbox.splice(index, 1);
      return Promise.resolve(message as Extract<ChildMessage, { type: T }>);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new Error(`${this.label}: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<ChildMessage, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Estimated offset of the child's wall clock from ours (ms), from the fastest of a few pings. */
  async clockOffset(pings = 10): Promise<number> {
    let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
    for (let i = 0; i < pings; i++) {
      const t0 = performance.timeOrigin + performance.now();
      this.send({ type: 'ping' });
      const { wallMs } = await this.next('pong', 5000);
      const t1 = performance.timeOrigin + performance.now();
      if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: wallMs - (t0 + t1) / 2 };
    }
    return best.offset;
  }

  /** Waits for the child to exit, killing it after `graceMs`. */
  async exit(graceMs = 10_000): Promise<void> {
    const p = this.#process;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
      p.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  kill(): void {
    const p = this.#process;
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }

  #deliver(message: ChildMessage): void {
    if (message.type === 'error') {
      this.#fail(new Error(`${this.label} failed: ${message.message}`));
      return;
    }
    const index = this.#waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) {
      const [waiter] = this.#waiters.splice(index, 1);
      waiter?.resolve(message);
    } else {
      this.#inbox.push(message);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#rejectFailed(this.#failure);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }
}
