// The fault suite's handler. Every execution that reaches its end appends one JSON line to
// $SLUICE_LEDGER_DIR/ledger-<pid>.jsonl (synchronously, so the line is on disk before the job can
// settle): { id, attempt, token, pid, sentAt, start, end, outcome }. payload.mode picks the behaviour.
// With payload.starts, every execution first appends { id, attempt, token, pid, at } to
// starts-<pid>.jsonl, so a job killed mid-run still shows it had started.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const file = join(process.env.SLUICE_LEDGER_DIR ?? '.', `ledger-${process.pid}.jsonl`);
const startsFile = join(process.env.SLUICE_LEDGER_DIR ?? '.', `starts-${process.pid}.jsonl`);
// Wall-clock time from the monotonic clock: unaffected by a Date.now() skewed on purpose (T15).
const now = () => Math.round(performance.timeOrigin + performance.now());

function record(ctx, start, outcome, sentAt) {
  const line = {
    id: ctx.id,
    attempt: ctx.attempt,
    token: ctx.token,
    pid: process.pid,
    sentAt,
    start,
    end: now(),
    outcome,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

export default async function ledgerHandler(payload, ctx) {
  const start = now();
  if (payload.starts) {
    const line = { id: ctx.id, attempt: ctx.attempt, token: ctx.token, pid: process.pid, at: start };
    appendFileSync(startsFile, `${JSON.stringify(line)}\n`);
  }
  switch (payload.mode) {
    case 'throw':
      record(ctx, start, 'throw', payload.sentAt);
      throw new Error(`planned failure of job ${ctx.id}`);
    case 'hang':
      record(ctx, start, 'hang', payload.sentAt);
      return new Promise(() => {}); // never settles and ignores ctx.signal
    case 'exit':
      record(ctx, start, 'exit', payload.sentAt);
      process.exit(1);
      break;
    case 'oom': {
      record(ctx, start, 'oom', payload.sentAt);
      const hoard = [];
      for (;;) hoard.push(new Array(1e5).fill(hoard.length));
    }
    case 'busy': {
      const until = start + payload.ms;
      while (now() < until) {
        // blocks the thread: only the lease renewals on the main thread keep the job ours
      }
      break;
    }
    default:
      await sleep(payload.ms ?? 0);
  }
  record(ctx, start, 'ok', payload.sentAt);
}
