import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The group a dead letter is filed under: the error's name and the first frame of user code. */
export interface Fingerprint {
  /** 12 hex characters of the label's SHA-1: what keys and URLs use. */
  id: string;
  /** `TypeError at handler.js:12`, or just the name when no frame points at user code. */
  label: string;
}

/** Sluice's own compiled code (dist/): its frames say where Sluice called the handler, not where it failed. */
const SLUICE_DIST = fileURLToPath(new URL('../', import.meta.url));

/** What a fingerprint id looks like. */
export const GROUP_ID = /^[0-9a-f]{12}$/;

const MAX_NAME = 200;
const MAX_FILE = 100;

/** `file:line` of a stack line such as `    at fn (file:///a/b.js:12:5)` or `    at /a/b.js:12:5`. */
function frameLocation(line: string): { path: string; line: string } | undefined {
  const at = /^\s*at (?:async )?(.*)$/.exec(line)?.[1];
  if (at === undefined) return undefined;
  const open = at.lastIndexOf(' (');
  const where = at.endsWith(')') && open >= 0 ? at.slice(open + 2, -1) : at;
  const match = /^(.+?):(\d+)(?::\d+)?$/.exec(where);
  if (!match) return undefined;
  return { path: match[1] as string, line: match[2] as string };
}

function isInternal(path: string): boolean {
  if (path.startsWith('node:') || path.startsWith('internal/')) return true;
  const file = path.startsWith('file://') ? safeFilePath(path) : path;
  return file.startsWith(SLUICE_DIST);
}

function safeFilePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

function basename(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  return (clean.split(/[/\\]/).pop() || clean).slice(-MAX_FILE);
}

/**
 * The fingerprint of an error: its name plus the file basename and line of the first stack frame
 * outside Node's internals and Sluice's own code; the name alone when there is no such frame.
 * Messages play no part, so `boom 1` and `boom 2` thrown at the same line share a group.
 */
export function fingerprint(name: string, stack?: string): Fingerprint {
  const shortName = name.slice(0, MAX_NAME) || 'Error';
  let label = shortName;
  for (const line of stack?.split('\n') ?? []) {
    const frame = frameLocation(line);
    if (frame && !isInternal(frame.path)) {
      label = `${shortName} at ${basename(frame.path)}:${frame.line}`;
      break;
    }
  }
  return { id: createHash('sha1').update(label).digest('hex').slice(0, 12), label };
}

/** The fingerprint of a stored error entry (JSON, see failure.ts); a damaged entry counts as `Error`. */
export function entryFingerprint(entryJson: string): Fingerprint {
  let entry: unknown;
  try {
    entry = JSON.parse(entryJson);
  } catch {
    entry = undefined;
  }
  const { name, stack } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
    string,
    unknown
  >;
  return fingerprint(
    typeof name === 'string' ? name : 'Error',
    typeof stack === 'string' ? stack : undefined,
  );
}
