/**
 * One scenario's world: a redis-server of its own (explicit config), engine and producer child
 * processes, a ledger directory, and the reads the checker needs. dispose() kills and removes
 * everything, whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Queue } from '../../../dist/index.js';
import { queueKeys } from '../../../dist/redis/keys.js';
import { type EngineChild, spawnEngine } from '../../fixtures/engine-cli.js';
import { type RedisServer, startRedisServer } from '../../helpers/redis-server.js';
import type { Execution, FinalState, Start, StreamEntry } from './check.js';

const HANDLER = fileURLToPath(new URL('../children/ledger-handler.js', import.meta.url));
const PRODUCER = fileURLToPath(new URL('../children/producer.js', import.meta.url));

export interface Payload {
  mode?: 'ok' | 'throw' | 'hang' | 'exit' | 'oom' | 'busy';
  ms?: number;
  msMin?: number;
  msMax?: number;
  /** Also log every start, before the handler runs (Harness.starts). */
  starts?: boolean;
}

export interface ProducerConfig {
  count: number;
  chunk?: number;
  payload?: Payload;
  opts?: Record<string, unknown>;
  /** Every k-th job gets a jobId from a small pool (deduplication scenarios). */
  dupEvery?: number;
  dupKeys?: number;
  dupPrefix?: string;
  stopAfterFailures?: number;
  pauseMs?: number;
}

export interface EngineConfig {
  threads?: number;
  concurrency?: number;
  /** Batches one thread is handed at once (--tasks-per-thread). */
  tasksPerThread?: number;
  leaseMs?: number;
  janitorMs?: number;
  graceMs?: number;
  threadMemoryMb?: number;
  /** Extra environment (e.g. NODE_OPTIONS with --import of a skewed clock). */
  env?: Record<string, string>;
}

export interface Producer {
  readonly child: ChildProcess;
  readonly log: string;
  readonly done: Promise<number | null>;
}

export interface ProducerLog {
  acked: string[];
  errors: string[];
  /** Latency (ms) of each acknowledged call, once per call. */
  latencies: number[];
  finished: boolean;
}

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-fault-'));
  readonly ledgerDir = join(this.dir, 'ledgers');
  readonly queue: string;
  readonly keys: ReturnType<typeof queueKeys>;
  readonly engines: EngineChild[] = [];
  readonly producers: Producer[] = [];
  #redis: Redis | undefined;
  #queue: Queue | undefined;
  readonly #clients: Redis[] = [];

  private constructor(
    readonly server: RedisServer,
    name: string,
  ) {
    this.queue = name;
    this.keys = queueKeys(name);
    mkdirSync(this.ledgerDir);
  }

  static async start(name: string, config: Record<string, string> = {}): Promise<Harness> {
    const server = await startRedisServer({
      appendonly: 'yes',
      appendfsync: 'everysec',
      'maxmemory-policy': 'noeviction',
      ...config,
    });
    return new Harness(server, name);
  }

  /** A client for the checker's reads and the faults; retries while Redis is down. */
  get redis(): Redis {
    if (this.#redis === undefined) {
      this.#redis = new Redis(this.server.url, { maxRetriesPerRequest: null });
      this.#redis.on('error', () => {});
    }
    return this.#redis;
  }

  /** The library's handle on the queue, for single marked jobs and inspection. */
  get lib(): Queue {
    this.#queue ??= new Queue(this.queue, { connection: this.server.url });
    return this.#queue;
  }

  /** A separate client for a command that must not queue behind others (e.g. during DEBUG SLEEP). */
  client(): Redis {
    const client = new Redis(this.server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    this.#clients.push(client);
    return client;
  }

  startEngine(config: EngineConfig = {}): EngineChild {
    const args = [
      '--queue',
      this.queue,
      '--handler',
      HANDLER,
      '--redis',
      this.server.url,
      '--threads',
      String(config.threads ?? 2),
      '--lease-ms',
      String(config.leaseMs ?? 5000),
      '--janitor-ms',
      String(config.janitorMs ?? 1000),
      '--grace-ms',
      String(config.graceMs ?? 30_000),
      '--log-level',
      'info',
    ];
    if (config.concurrency !== undefined) args.push('--concurrency', String(config.concurrency));
    if (config.tasksPerThread !== undefined) args.push('--tasks-per-thread', String(config.tasksPerThread));
    if (config.threadMemoryMb !== undefined) args.push('--thread-memory-mb', String(config.threadMemoryMb));
    const engine = spawnEngine(args, { ...config.env, SLUICE_LEDGER_DIR: this.ledgerDir });
    this.engines.push(engine);
    return engine;
  }

  /** Waits until an engine says it started (its janitor and heartbeat are running). */
  async started(engine: EngineChild): Promise<EngineChild> {
    await engine.waitForLog('engine started', (l) => l.msg === 'engine started', 30_000);
    return engine;
  }

  startProducer(config: ProducerConfig): Producer {
    const log = join(this.dir, `producer-${this.producers.length}.log`);
    const full = {
      url: this.server.url,
      queue: this.queue,
      chunk: 50,
      payload: {},
      opts: {},
      dupPrefix: 'key',
      dupKeys: 1,
      ...config,
      log,
    };
    const child = spawn(process.execPath, [PRODUCER, JSON.stringify(full)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const done = new Promise<number | null>((resolve, reject) => {
      child.once('exit', (code) => (code === 0 || code === null ? resolve(code) : reject(new Error(stderr))));
    });
    done.catch(() => {});
    const producer = { child, log, done };
    this.producers.push(producer);
    return producer;
  }

  /** Waits for a producer to finish and returns its log. */
  async producerDone(producer: Producer): Promise<ProducerLog> {
    await producer.done;
    return this.producerLog(producer);
  }

  producerLog(producer?: Producer): ProducerLog {
    const out: ProducerLog = { acked: [], errors: [], latencies: [], finished: true };
    for (const p of producer ? [producer] : this.producers) {
      let text = '';
      try {
        text = readFileSync(p.log, 'utf8');
      } catch {
        out.finished = false;
        continue;
      }
      let last = '';
      for (const line of text.split('\n')) {
        if (line.startsWith('A ')) {
          const [, id, , latency] = line.split(' ');
          out.acked.push(id as string);
          if (latency !== last) out.latencies.push(Number(latency));
          last = latency as string;
        } else if (line.startsWith('E ')) out.errors.push(line.slice(2));
      }
      if (!text.includes('DONE\n')) out.finished = false;
    }
    return out;
  }

  executions(): Execution[] {
    return this.#ledger<Execution>('ledger-');
  }

  /** The starts logged by handlers of jobs with payload.starts. */
  starts(): Start[] {
    return this.#ledger<Start>('starts-');
  }

  #ledger<T>(prefix: string): T[] {
    const out: T[] = [];
    for (const file of readdirSync(this.ledgerDir)) {
      if (!file.startsWith(prefix)) continue;
      for (const line of readFileSync(join(this.ledgerDir, file), 'utf8').split('\n')) {
        if (line.startsWith('{')) out.push(JSON.parse(line) as T);
      }
    }
    return out;
  }

  /** One consistent read, allowed even when Redis is full (a MULTI is refused then). */
  async counts(): Promise<{ waiting: number; active: number; delayed: number; dead: number }> {
    const k = this.keys;
    const [waiting = 0, active = 0, delayed = 0, dead = 0] = (await this.redis.eval(
      `#!lua flags=no-writes
      return { redis.call('LLEN', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]) }`,
      4,
      k.pending,
      k.active,
      k.delayed,
      k.dead,
    )) as number[];
    return { waiting, active, delayed, dead };
  }

  /** The leased ids (the active ZSET) with their delivery tokens, in one read. */
  async leases(): Promise<Map<string, number>> {
    const flat = (await this.redis.eval(
      `#!lua flags=no-writes
      local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
      local out = {}
      for i = 1, #ids, 1000 do
        local chunk = { unpack(ids, i, math.min(i + 999, #ids)) }
        local tokens = redis.call('HMGET', KEYS[2], unpack(chunk))
        for j, id in ipairs(chunk) do
          out[#out + 1] = id
          out[#out + 1] = tokens[j] or '0'
        end
      end
      return out`,
      2,
      this.keys.active,
      this.keys.deliveries,
    )) as string[];
    const leases = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) leases.set(flat[i] as string, Number(flat[i + 1]));
    return leases;
  }

  /** The newest `count` entries of the queue's event stream (Queue.setEvents), oldest first. */
  async recentEvents(count: number): Promise<StreamEntry[]> {
    const entries = (await this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', count)) as [
      string,
      string[],
    ][];
    return entries.reverse().map(([id, fields]) => {
      const get = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
      return { id, type: get('type'), ids: get('ids').split(',') };
    });
  }

  async stats(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.keys.stats);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  /** Waits until nothing is waiting, running or delayed; false on timeout. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const c = await this.counts();
      if (c.waiting + c.active + c.delayed === 0) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  async state(): Promise<FinalState> {
    const r = this.redis;
    const [pending, active, delayed, deadIds, records, stats] = await Promise.all([
      r.lrange(this.keys.pending, 0, -1),
      r.zrange(this.keys.active, 0, -1),
      r.zrange(this.keys.delayed, 0, -1),
      r.zrange(this.keys.dead, 0, -1),
      r.hkeys(this.keys.jobs),
      this.stats(),
    ]);
    const dead = new Map<string, { reason: string | undefined; attempts: number }>();
    if (deadIds.length > 0) {
      const errors = await r.hmget(this.keys.errors, ...deadIds);
      deadIds.forEach((id, i) => {
        const entries = JSON.parse(errors[i] ?? '[]') as { reason: string }[];
        dead.set(id, { reason: entries.at(-1)?.reason, attempts: entries.length });
      });
    }
    return { pending, active, delayed, dead, records: new Set(records), stats };
  }

  /** SIGTERMs every engine still running and waits for them. */
  async stopEngines(): Promise<void> {
    for (const engine of this.engines) if (!engine.hasExited()) engine.signal('SIGTERM');
    await Promise.all(this.engines.map((e) => e.waitForExit(60_000).catch(() => e.dispose())));
  }

  async dispose(): Promise<void> {
    for (const p of this.producers) p.child.kill('SIGKILL');
    await Promise.all(this.engines.map((e) => e.dispose()));
    this.#redis?.disconnect();
    for (const client of this.#clients) client.disconnect();
    await this.#queue?.close();
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
