import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { failureFor } from '../../dist/engine/settler.js';
import { entryFingerprint, fingerprint, GROUP_ID } from '../../dist/job/fingerprint.js';

const runner = fileURLToPath(new URL('../../dist/threads/runner.js', import.meta.url));

function stack(...frames: string[]): string {
  return ['TypeError: boom', ...frames.map((f) => `    at ${f}`)].join('\n');
}

describe('fingerprint', () => {
  it('labels an error with its name and the first frame: file basename and line', () => {
    const fp = fingerprint(
      'TypeError',
      stack('send (/srv/app/handler.js:12:5)', 'main (/srv/app/index.js:3:1)'),
    );
    expect(fp.label).toBe('TypeError at handler.js:12');
    expect(fp.id).toMatch(GROUP_ID);
  });

  it('reads file URLs, frames without a function name, async frames and Windows paths', () => {
    expect(fingerprint('Error', stack('fn (file:///srv/app/jobs/mail.mjs:40:9)')).label).toBe(
      'Error at mail.mjs:40',
    );
    expect(fingerprint('Error', stack('/srv/app/handler.js:7:3')).label).toBe('Error at handler.js:7');
    expect(
      fingerprint('Error', stack('async Promise.all (index 0)', 'async run (/srv/h.js:2:1)')).label,
    ).toBe('Error at h.js:2');
    expect(fingerprint('Error', stack('fn (C:\\app\\src\\handler.js:9:1)')).label).toBe(
      'Error at handler.js:9',
    );
  });

  it("skips Node's internals and Sluice's own code, so the label points at user code", () => {
    const fp = fingerprint(
      'TypeError',
      stack(
        'Array.map (<anonymous>)',
        'processTicksAndRejections (node:internal/process/task_queues:95:5)',
        `runJob (${pathToFileURL(runner).href}:140:7)`,
        `Context.run (${runner}:150:3)`,
        'handle (/srv/app/handler.js:21:11)',
      ),
    );
    expect(fp.label).toBe('TypeError at handler.js:21');
  });

  it("treats every file of dist/ as Sluice's own, whichever folder holds fingerprint.js", () => {
    const own = [
      'threads/runner.js',
      'engine/dispatcher.js',
      'queue/queue.js',
      'redis/scripts.js',
      'engine.js',
    ];
    const frames = own.map(
      (file, i) => `f${i} (${fileURLToPath(new URL(`../../dist/${file}`, import.meta.url))}:9:1)`,
    );
    expect(fingerprint('TypeError', stack(...frames, 'handle (/srv/app/handler.js:21:11)')).label).toBe(
      'TypeError at handler.js:21',
    );
  });

  it('is just the name when there is no stack or no user frame', () => {
    expect(fingerprint('CrashedError').label).toBe('CrashedError');
    expect(fingerprint('TimeoutError', stack(`Timeout._onTimeout (${runner}:133:60)`)).label).toBe(
      'TimeoutError',
    );
    expect(fingerprint('Error', 'Error: no frames at all').label).toBe('Error');
  });

  it('ignores the message: the same throw site with different messages is one group', () => {
    const a = fingerprint('TypeError', 'TypeError: boom 1\n    at f (/srv/h.js:3:9)');
    const b = fingerprint('TypeError', 'TypeError: boom 2 with\nmore lines\n    at f (/srv/h.js:3:9)');
    expect(a).toEqual(b);
  });

  it('gives different sites, files and names different ids', () => {
    const ids = new Set(
      [
        fingerprint('TypeError', stack('f (/srv/h.js:3:9)')),
        fingerprint('TypeError', stack('f (/srv/h.js:4:9)')),
        fingerprint('TypeError', stack('f (/srv/g.js:3:9)')),
        fingerprint('RangeError', stack('f (/srv/h.js:3:9)')),
        fingerprint('TypeError'),
      ].map((fp) => fp.id),
    );
    expect(ids.size).toBe(5);
  });

  it('keeps labels short whatever the error carries', () => {
    const fp = fingerprint('N'.repeat(5000), stack(`f (/srv/${'x'.repeat(5000)}.js:1:1)`));
    expect(fp.label.length).toBeLessThan(320);
    expect(fingerprint('').label).toBe('Error');
  });
});

describe('entryFingerprint', () => {
  it('fingerprints a stored error entry as fingerprint() does its name and stack', () => {
    const s = stack('f (/srv/h.js:3:9)');
    const entry = JSON.stringify({ name: 'TypeError', message: 'm', stack: s, reason: 'error', at: 1 });
    expect(entryFingerprint(entry)).toEqual(fingerprint('TypeError', s));
  });

  it('treats a damaged entry as a plain Error', () => {
    expect(entryFingerprint('not json')).toEqual(fingerprint('Error'));
    expect(entryFingerprint('[1]').label).toBe('Error');
  });
});

describe('failureFor', () => {
  const outcome = {
    reason: 'error' as const,
    name: 'TypeError',
    message: 'boom',
    stack: stack('f (/srv/h.js:3:9)'),
  };

  it('files only a dead-lettering failure under its fingerprint; a retry carries none', () => {
    const record = '1700000000000|0||{"n":1}'; // default options: 3 attempts
    const retry = failureFor({ id: '7', token: 1, record }, outcome, 0);
    expect(retry.retryInMs).toBeGreaterThan(0);
    expect(retry.group).toBeUndefined();
    const dead = failureFor({ id: '7', token: 3, record }, outcome, 0);
    expect(dead.retryInMs).toBe(-1);
    expect(dead.group).toEqual(fingerprint('TypeError', outcome.stack));
    expect(dead.group?.label).toBe('TypeError at h.js:3');
  });
});
