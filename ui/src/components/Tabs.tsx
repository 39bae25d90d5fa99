import { counts, pauseBusy, paused, queue, setPaused, show, type View, view } from '../model';
import { AdminButton } from './AdminButton';

const LABELS: Record<View, string> = {
  overview: 'Overview',
  dead: 'Dead letters',
  groups: 'Groups',
  jobs: 'Jobs',
  browse: 'Job pages',
  schedules: 'Schedules',
  events: 'Events',
};

function PauseControl() {
  const name = queue.value;
  if (name === null || paused.value === null) return null;
  const isPaused = paused.value;
  return (
    <div class="pause">
      {isPaused && (
        <span class="badge badge-warn" data-testid="paused-badge">
          Paused
        </span>
      )}
      <AdminButton
        class={isPaused ? 'button primary' : 'button'}
        disabled={pauseBusy.value}
        onClick={() => setPaused(name, !isPaused)}
      >
        {isPaused ? 'Resume' : 'Pause'}
      </AdminButton>
    </div>
  );
}

export function Tabs() {
  const dead = counts.value?.dead ?? 0;
  return (
    <nav class="tabs" aria-label="Views">
      <div class="tabs-inner">
        {(Object.keys(LABELS) as View[]).map((v) => (
          <button
            key={v}
            type="button"
            class={view.value === v ? 'tab active' : 'tab'}
            aria-current={view.value === v ? 'page' : undefined}
            onClick={() => show(v)}
          >
            {LABELS[v]}
            {v === 'dead' && dead > 0 && <span class="tab-count">{dead}</span>}
          </button>
        ))}
        <span class="spacer" />
        <PauseControl />
      </div>
    </nav>
  );
}
