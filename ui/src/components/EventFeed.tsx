import '../views.css';
import { feed, queue } from '../model';
import { AdminButton } from './AdminButton';
import { Time } from './Time';

const SHOWN_IDS = 12;

function idsText(ids: readonly string[]): string {
  const head = ids.slice(0, SHOWN_IDS).join(', ');
  return ids.length > SHOWN_IDS ? `${head} +${ids.length - SHOWN_IDS} more` : head;
}

export function EventFeed() {
  const name = queue.value;
  if (name === null) return null;
  const { shown, held } = feed.feed.value;
  const paused = feed.paused.value;
  return (
    <section class="panel" aria-labelledby="feed-title">
      <div class="panel-head">
        <h2 id="feed-title">Events</h2>
        <div class="toolbar">
          <span class={paused ? 'feed-state paused' : 'feed-state'} data-testid="feed-state">
            {paused ? `paused, ${held.length} new` : 'live'}
          </span>
          <button type="button" class="button small" onClick={feed.togglePinned}>
            {paused ? 'Resume' : 'Pause'}
          </button>
        </div>
      </div>
      {feed.loadError.value && <p class="error-text">Cannot read the events: {feed.loadError.value}</p>}
      {feed.gap.value && (
        <p class="muted">
          Some events were trimmed from the stream before they could be read (it keeps about 10,000).
        </p>
      )}
      {feed.quiet.value && (
        <div class="empty">
          <p class="muted">
            No events yet. A queue records events only while its event stream is on (it costs a stream write
            per script call).
          </p>
          <AdminButton class="button" onClick={() => feed.turnOn(name)}>
            Turn events on
          </AdminButton>
        </div>
      )}
      {shown.length > 0 && (
        <ul
          class="feed"
          data-testid="feed"
          aria-label="Newest events first"
          onMouseEnter={() => {
            feed.hovered.value = true;
          }}
          onMouseLeave={() => {
            feed.hovered.value = false;
            feed.settle();
          }}
          onScroll={(e) => {
            feed.scrolled.value = e.currentTarget.scrollTop > 0;
            feed.settle();
          }}
        >
          {shown.map((event) => (
            <li key={event.id} data-testid="feed-event">
              <span class="muted nowrap">
                <Time ms={event.at} />
              </span>
              <span class={`event-type event-${event.type}`}>{event.type}</span>
              <span class="ids" title={event.jobIds.join(', ')}>
                {idsText(event.jobIds)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
