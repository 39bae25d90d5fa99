import { formatCount, formatRate } from '../format';
import { counts, rate, show } from '../model';
import type { Counts } from '../types';

const CARDS: { key: keyof Counts; label: string; tone: string }[] = [
  { key: 'waiting', label: 'Waiting', tone: 'neutral' },
  { key: 'active', label: 'Active', tone: 'info' },
  { key: 'delayed', label: 'Delayed', tone: 'neutral' },
  { key: 'dead', label: 'Dead', tone: 'bad' },
  { key: 'completed', label: 'Completed', tone: 'ok' },
  { key: 'failed', label: 'Failed', tone: 'warn' },
];

function Note({ name }: { name: keyof Counts }) {
  const r = rate.value;
  if (name === 'completed' && r) return <span class="count-note">{formatRate(r.completed)}/s</span>;
  if (name === 'failed' && r) return <span class="count-note">{formatRate(r.failed)}/s</span>;
  if (name === 'dead' && (counts.value?.dead ?? 0) > 0) {
    return (
      <button type="button" class="link-button count-note" onClick={() => show('dead')}>
        browse
      </button>
    );
  }
  return null;
}

export function CountsGrid() {
  const c = counts.value;
  return (
    <section class="counts" aria-label="Job counts">
      {CARDS.map(({ key, label, tone }) => (
        <div key={key} class={`count count-${tone}${c && c[key] > 0 ? ' nonzero' : ''}`}>
          <span class="count-label">{label}</span>
          <span class="count-value" data-testid={`count-${key}`}>
            {formatCount(c?.[key])}
          </span>
          <Note name={key} />
        </div>
      ))}
    </section>
  );
}
