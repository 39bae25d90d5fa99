import { formatDuration } from '../format';
import { now, redisDownSince } from '../model';
import { Time } from './Time';

/** Says that Redis is down, and since when, until the API reaches it again. */
export function OutageBanner() {
  const since = redisDownSince.value;
  if (since === null) return null;
  return (
    <div class="outage" role="alert" data-testid="redis-outage">
      <strong>
        Redis unreachable since <Time ms={since} />
      </strong>{' '}
      <span>
        ({formatDuration(now.value - since)}). The figures below are the last ones read; the monitor catches
        up by itself once Redis answers.
      </span>
    </div>
  );
}
