import { ErrorCode, invalidOption, SluiceError } from '../errors.js';
import type { DeadFilter, DeadGroup, DeadPage } from '../job/dead-letter.js';
import { GROUP_ID } from '../job/fingerprint.js';
import { encodePayload } from '../job/record.js';
import type { RedisClient } from '../redis/connection.js';
import { retryDeadMatching, searchDead } from '../redis/dead-filter.js';
import { deadGroups, deleteDeadGroup, listDeadGroup, retryDeadGroup } from '../redis/dead-groups.js';
import { listDead } from '../redis/dead-letters.js';
import { deleteDead, editDead, purgeDead, retryAllDead, retryDead } from '../redis/dlq.js';
import type { QueueKeys } from '../redis/keys.js';
import { checkJobId, type QueueCore } from './core.js';
import { clampPage, type Page } from './page.js';
import { mergeGroups } from './partition-merge.js';

/** A page of dead letters, optionally only those matching a filter. */
export type DeadQuery = Page & DeadFilter;

/** Longest text a dead-letter search accepts. */
export const MAX_QUERY = 200;

/** Validates a dead-letter filter; an empty `q` means no text filter. */
function checkDeadFilter(filter: DeadFilter): DeadFilter {
  const { q, from, to } = filter;
  if (q !== undefined && (typeof q !== 'string' || q.length > MAX_QUERY)) {
    throw invalidOption('q', `must be a string of at most ${MAX_QUERY} characters`);
  }
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
      throw invalidOption(field, `must be a time in ms, got ${String(value)}`);
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    throw invalidOption('from', `must not be after to (${from} > ${to})`);
  }
  return { q: q === '' ? undefined : q, from, to };
}

function checkGroupId(id: unknown): string {
  if (typeof id !== 'string' || !GROUP_ID.test(id)) {
    throw invalidOption('group', `must be a dead-letter group id (12 hex digits), got ${JSON.stringify(id)}`);
  }
  return id;
}

/** A dead-letter action on some ids of one partition; resolves with how many it applied to. */
type ByIds = (redis: RedisClient, keys: QueueKeys, ids: readonly string[]) => Promise<number>;

function idList(ids: string | readonly string[]): string[] {
  return (Array.isArray(ids) ? ids : [ids]).map(checkJobId);
}

/**
 * A Queue's dead-letter queue: listing, searching and grouping dead letters, and redriving,
 * editing or deleting them. Lists of a partitioned queue are its partitions' laid end to end;
 * bulk actions run on every partition and count what they did.
 */
export class DeadLetters {
  readonly #core: QueueCore;

  constructor(core: QueueCore) {
    this.#core = core;
  }

  /** Runs `act` on each partition with the ids it holds (every id checked first); sums the counts. */
  #byPartition(ids: string | readonly string[], act: ByIds): Promise<number> {
    const list = idList(ids);
    const { redis, layout } = this.#core;
    return layout.byPartition(list, (keys, part) => act(redis, keys, part));
  }

  /** Runs `act` on every partition; sums the counts. */
  #sum(act: (redis: RedisClient, keys: QueueKeys) => Promise<number>): Promise<number> {
    const { redis, layout } = this.#core;
    return layout.sum((keys) => act(redis, keys));
  }

  async listDead(query: DeadQuery): Promise<DeadPage> {
    const filter = checkDeadFilter(query);
    const { offset, limit } = clampPage(query);
    const q = filter.q;
    const { redis, layout } = this.#core;
    return layout.page(
      (keys, o, l) =>
        q === undefined
          ? listDead(redis, keys, o, l, filter)
          : searchDead(redis, keys, { ...filter, q }, o, l),
      offset,
      limit,
    );
  }

  async retryDead(ids: string | readonly string[]): Promise<number> {
    return this.#byPartition(ids, retryDead);
  }

  async retryAllDead(): Promise<number> {
    return this.#sum(retryAllDead);
  }

  async retryDeadMatching(filter: DeadFilter): Promise<number> {
    const checked = checkDeadFilter(filter);
    if (checked.q === undefined && checked.from === undefined && checked.to === undefined) {
      return this.retryAllDead();
    }
    return this.#sum((redis, keys) => retryDeadMatching(redis, keys, checked));
  }

  async editDeadAndRetry(id: string, payload: unknown): Promise<boolean> {
    checkJobId(id);
    const { redis, layout, maxPayloadBytes } = this.#core;
    const json = encodePayload(payload, maxPayloadBytes, 'payload');
    const outcome = await editDead(redis, await layout.partOf(id), id, json);
    if (outcome === 'damaged') {
      throw new SluiceError(
        ErrorCode.RECORD_DAMAGED,
        `job ${id}: its stored record has no payload part to replace; delete it instead`,
      );
    }
    return outcome === 'redriven';
  }

  async deleteDead(ids: string | readonly string[]): Promise<number> {
    return this.#byPartition(ids, deleteDead);
  }

  async purgeDead(): Promise<number> {
    return this.#sum(purgeDead);
  }

  async deadGroups(): Promise<DeadGroup[]> {
    const { redis, layout } = this.#core;
    return mergeGroups(await layout.each((keys) => deadGroups(redis, keys)));
  }

  async listDeadGroup(id: string, page: Page): Promise<DeadPage> {
    const { offset, limit } = clampPage(page);
    const group = checkGroupId(id);
    const { redis, layout } = this.#core;
    return layout.page((keys, o, l) => listDeadGroup(redis, keys, group, o, l), offset, limit);
  }

  async retryDeadGroup(id: string): Promise<number> {
    const group = checkGroupId(id);
    return this.#sum((redis, keys) => retryDeadGroup(redis, keys, group));
  }

  async deleteDeadGroup(id: string): Promise<number> {
    const group = checkGroupId(id);
    return this.#sum((redis, keys) => deleteDeadGroup(redis, keys, group));
  }
}
