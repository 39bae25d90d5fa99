import '../views.css';
import { formatCount, formatDuration } from '../format';
import { pressure } from '../model';

function RateLimit() {
  const reply = pressure.levels.value;
  const limit = reply?.rateLimit;
  if (!reply) return null;
  if (!limit)
    return (
      <p class="muted" data-testid="rate-limit">
        No rate limit: engines lease as fast as they can.
      </p>
    );
  const full = limit.used >= limit.max;
  const share = Math.min(100, (100 * limit.used) / limit.max);
  // freesAt is Redis time; reply.now is the Redis time of the read, so the wait is skew-free.
  const freesIn = limit.freesAt === undefined ? undefined : limit.freesAt - reply.now;
  return (
    <div data-testid="rate-limit">
      <p>
        Rate limit <strong>{formatCount(limit.max)}</strong> jobs per {formatDuration(limit.duration)}: this
        window <strong data-testid="rate-used">{formatCount(limit.used)}</strong> used
        {full ? ' (full: engines wait)' : ''}.
      </p>
      <div class={full ? 'meter full' : 'meter'} aria-hidden="true">
        <span style={{ width: `${share}%` }} />
      </div>
      {freesIn !== undefined && (
        <p class="muted">
          The oldest lease of the window leaves it in {formatDuration(Math.max(0, freesIn))}.
        </p>
      )}
    </div>
  );
}

export function LevelsPanel() {
  const reply = pressure.levels.value;
  return (
    <section class="panel" aria-labelledby="levels-title">
      <div class="panel-head">
        <h2 id="levels-title">Waiting by priority</h2>
        <span class="muted">1 runs first; 3 is the default</span>
      </div>
      {pressure.levelsError.value && (
        <p class="error-text">Cannot read the levels: {pressure.levelsError.value}</p>
      )}
      {reply && (
        <dl class="levels" data-testid="levels">
          {reply.levels.map((l) => (
            <div key={l.level}>
              <dt>Priority {l.level}</dt>
              <dd data-testid={`level-${l.level}`}>{formatCount(l.waiting)}</dd>
            </div>
          ))}
        </dl>
      )}
      <RateLimit />
    </section>
  );
}
