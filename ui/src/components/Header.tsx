import '../redis-info.css';
import {
  forgetToken,
  hasSeveralQueues,
  locked,
  now,
  paused,
  queue,
  queues,
  readOnlyReason,
  reconnectAt,
  redisDownSince,
  selectQueue,
  streamError,
  streamStatus,
  token,
} from '../model';

/** Every queue of the Redis: served ones first, then those discovered there, marked read-only. */
function QueuePicker() {
  const list = queues.value ?? [];
  // The list is read every 30 s; the shown queue's pause state comes live from its stream.
  const livePaused = paused.value;
  if (!hasSeveralQueues.value)
    return queue.value === null ? null : <span class="queue-name">{queue.value}</span>;
  return (
    <label class="queue-picker">
      <span class="visually-hidden">Queue</span>
      <select
        value={queue.value ?? ''}
        onChange={(e) => selectQueue(e.currentTarget.value)}
        data-testid="queue-picker"
      >
        {list.map((q) => (
          <option key={q.name} value={q.name}>
            {q.name}
            {q.readOnly ? ' (read-only)' : ''}
            {(q.name === queue.value && livePaused !== null ? livePaused : q.paused) ? ' (paused)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function ReadOnlyBadge() {
  const reason = readOnlyReason.value;
  if (reason === null) return null;
  return (
    <span class="badge read-only-badge" title={reason} data-testid="read-only-badge">
      read-only
    </span>
  );
}

function StreamBadge() {
  let text: string;
  let tone: string;
  if (locked.value) {
    text = 'token needed';
    tone = 'warn';
  } else if (redisDownSince.value !== null) {
    // The stream to the API may stay open, but nothing on it is current: the banner says why.
    text = 'Redis down';
    tone = 'bad';
  } else if (streamStatus.value === 'live') {
    text = 'live';
    tone = 'ok';
  } else if (streamStatus.value === 'reconnecting') {
    const at = reconnectAt.value;
    const secs = at === null ? 0 : Math.max(0, Math.ceil((at - now.value) / 1000));
    text = secs > 0 ? `reconnecting in ${secs} s` : 'reconnecting…';
    tone = 'bad';
  } else if (streamStatus.value === 'connecting') {
    text = 'connecting…';
    tone = 'muted';
  } else {
    text = 'offline';
    tone = 'muted';
  }
  return (
    <span class={`stream stream-${tone}`} title={streamError.value ?? undefined} data-testid="stream-status">
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function Header() {
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <span class="brand">
          Sluice <span class="brand-sub">monitor</span>
        </span>
        <QueuePicker />
        <ReadOnlyBadge />
        <span class="spacer" />
        <StreamBadge />
        {token.value && (
          <button type="button" class="link-button on-dark" onClick={forgetToken}>
            Forget token
          </button>
        )}
      </div>
    </header>
  );
}
