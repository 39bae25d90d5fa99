import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, SluiceError } from '../errors.js';

/**
 * Resolves a handler path to a file: URL and checks, before any thread starts, that the module
 * loads and exports a default function, so a bad --handler fails fast with a message.
 */
export async function loadHandlerModule(handler: string): Promise<string> {
  let url: string;
  if (handler.startsWith('file:')) {
    url = handler;
  } else {
    const path = isAbsolute(handler) ? handler : resolve(process.cwd(), handler);
    if (!existsSync(path)) {
      throw new SluiceError(ErrorCode.HANDLER_INVALID, `handler module ${path} does not exist`);
    }
    url = pathToFileURL(path).href;
  }
  let module: { default?: unknown; backoff?: unknown };
  try {
    module = (await import(url)) as { default?: unknown; backoff?: unknown };
  } catch (error) {
    throw new SluiceError(
      ErrorCode.HANDLER_INVALID,
      `handler module ${url} failed to load: ${(error as Error).message}`,
    );
  }
  if (typeof module.default !== 'function') {
    throw new SluiceError(
      ErrorCode.HANDLER_INVALID,
      `handler module ${url} has no default export function; write \`export default async (payload, ctx) => { ... }\``,
    );
  }
  if (module.backoff !== undefined && typeof module.backoff !== 'function') {
    throw new SluiceError(
      ErrorCode.HANDLER_INVALID,
      `handler module ${url} exports a backoff that is not a function; write \`export function backoff({ attempt, error }) { return ms; }\``,
    );
  }
  return url;
}
