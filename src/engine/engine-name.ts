import { hostname } from 'node:os';
import { invalidOption } from '../errors.js';

/** Names held by the engines of this process, per queue: two engines of a queue never share series. */
const held = new Map<string, Set<string>>();

/**
 * The `engine` label of an engine's metrics: stable across restarts, unlike its id
 * (`host:pid:random`, which the live list and leases keep using), so a restart continues the
 * same series. Given (engineName, --engine-name), or `host:N` with N the lowest number no other
 * engine of the queue in this process holds: 0 for the one engine of an engine process, and the
 * supervisor passes each of its processes `host:<slot>`.
 */
export interface EngineName {
  readonly name: string;
  /** Frees the name for another engine of the queue in this process (on stop). */
  release(): void;
}

/** Takes `wanted`, or the first free `host:N`; a name another engine of the queue holds here is refused. */
export function claimEngineName(queue: string, wanted: string | undefined): EngineName {
  const names = held.get(queue) ?? new Set<string>();
  let name = wanted;
  if (name === undefined) {
    let n = 0;
    while (names.has(`${hostname()}:${n}`)) n++;
    name = `${hostname()}:${n}`;
  } else if (names.has(name)) {
    throw invalidOption(
      'engineName',
      `${name} is already used by another engine of queue ${queue} in this process`,
    );
  }
  names.add(name);
  held.set(queue, names);
  const taken = name;
  return {
    name: taken,
    release() {
      names.delete(taken);
      if (names.size === 0 && held.get(queue) === names) held.delete(queue);
    },
  };
}
