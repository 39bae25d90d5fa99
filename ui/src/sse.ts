// Server-sent events read from a fetch body (EventSource cannot send an Authorization header).
// Pure and dependency-free: the tests import it directly.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental parser of the `text/event-stream` format (WHATWG HTML, "Parsing an event stream"):
 * feed it decoded text in chunks of any size; it returns the events each chunk completes.
 * Lines end in LF, CRLF or CR; `:` lines are comments; `data:` lines are joined with LF; an event
 * without data is not dispatched; `retry:` is reported through `retryMs`.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #pendingCr = false;
  retryMs: number | undefined;

  push(chunk: string): SseEvent[] {
    let text = chunk;
    // A CR that ended the previous chunk already ended its line: skip the LF of a split CRLF.
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.#line(this.#buffer.slice(start, i), events);
      if (c === '\r') {
        if (i + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) {
        const event: SseEvent = { event: this.#event || 'message', data: this.#data.join('\n') };
        if (this.#id !== undefined) event.id = this.#id;
        events.push(event);
      }
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

/** Wait before reconnect attempt `attempt` (1-based): 0.5 s doubling to at most 15 s, ±20 % jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
