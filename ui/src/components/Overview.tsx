import { formatCount } from '../format';
import { counts } from '../model';
import { EnginesTable } from './EnginesTable';
import { LatencyChart } from './LatencyChart';
import { LevelsPanel } from './LevelsPanel';
import { RedisInfo } from './RedisInfo';
import { ThroughputChart } from './ThroughputChart';

export function Overview() {
  const c = counts.value;
  return (
    <>
      <div class="side-by-side">
        <ThroughputChart />
        <LatencyChart />
      </div>
      {c && (
        <p class="totals muted">
          Since the queue was created: {formatCount(c.added)} added · {formatCount(c.retried)} retried ·{' '}
          {formatCount(c.reaped)} recovered from crashed engines · {formatCount(c.redriven)} redriven from the
          dead letters · {formatCount(c.cancelled)} cancelled
        </p>
      )}
      <LevelsPanel />
      <EnginesTable />
      <RedisInfo />
    </>
  );
}
