import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the build puts the monitor: dist/ui, next to this module's dist/api. */
export const DEFAULT_UI_DIR = new URL('../ui/', import.meta.url);

/**
 * Serves the built monitor at / (index.html for /) when its directory exists; no file comes from a
 * CDN. One route per file found at start (no wildcard), so any other path is the API's 404.
 */
export function serveUi(app: FastifyInstance, dir: URL | string): void {
  const root = dir instanceof URL ? fileURLToPath(dir) : dir;
  if (!existsSync(root)) return;
  app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    serveDotFiles: false,
    wildcard: false,
  });
}
