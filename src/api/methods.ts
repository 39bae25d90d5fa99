import type { RouteOptions } from 'fastify';

/**
 * The methods each API path answers, so a known path called with another method gets 405 with
 * `Allow` instead of a 404. Built from the routes as they are added; the monitor's files are not
 * API paths and stay 404.
 */
export class AllowedMethods {
  readonly #byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  add(route: RouteOptions): void {
    if (!route.url.startsWith('/api/') && route.url !== '/metrics') return;
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    let entry = this.#byPattern.get(source);
    if (!entry) {
      entry = { pattern: new RegExp(`^${source}$`), methods: new Set() };
      this.#byPattern.set(source, entry);
    }
    for (const method of [route.method].flat()) entry.methods.add(method);
  }

  /** The methods a path answers, sorted; empty when no route has that path. */
  of(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: own } of this.#byPattern.values()) {
      if (pattern.test(path)) for (const m of own) methods.add(m);
    }
    return [...methods].sort();
  }
}
