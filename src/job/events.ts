/** The lifecycle events the scripts append (one stream entry per script call and type). */
export const EVENT_TYPES = [
  'added',
  'started',
  'completed',
  'retried',
  'dead',
  'stalled',
  'cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface QueueEvent {
  /** Stream id: pass it back as `from` to continue after this entry. */
  id: string;
  type: EventType;
  jobIds: string[];
  /** When it happened, ms by the Redis clock (the stream id's time part). */
  at: number;
}

export interface EventPage {
  events: QueueEvent[];
  /** Where to continue from: the last entry's id, or `from` when there was none. */
  next: string;
  /** Entries after `from` were trimmed away before this read: some events were missed. */
  gap: boolean;
}
