import { formatAgo, formatCount, formatRate, fullTime } from '../format';
import { engines, enginesError, now } from '../model';
import { Time } from './Time';

export function EnginesTable() {
  const list = engines.value;
  return (
    <section class="panel" aria-labelledby="engines-title">
      <div class="panel-head">
        <h2 id="engines-title">Engines</h2>
        <span class="muted">{list ? `${list.length} live` : ''}</span>
      </div>
      {enginesError.value && <p class="error-text">Cannot list the engines: {enginesError.value}</p>}
      {list && list.length === 0 && <p class="muted empty">No engine is running on this queue.</p>}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table class="table cards" data-testid="engines">
            <thead>
              <tr>
                <th>Host</th>
                <th class="num">PID</th>
                <th class="num">Threads</th>
                <th class="num">In flight</th>
                <th class="num">Jobs/s</th>
                <th>Started</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.id}>
                  <td class="wide" title={e.id}>
                    {e.host}
                  </td>
                  <td class="num" data-label="PID">
                    {e.pid}
                  </td>
                  <td class="num" data-label="Threads">
                    {e.threads}
                  </td>
                  <td class="num" data-label="In flight">
                    {formatCount(e.inFlight)}
                  </td>
                  <td class="num" data-label="Jobs/s">
                    {formatRate(e.jobsPerSec)}
                  </td>
                  <td data-label="Started">
                    <Time ms={e.startedAt} />
                  </td>
                  <td data-label="Last seen" title={fullTime(e.seenAt)}>
                    {formatAgo(Math.min(e.seenAt, now.value), now.value)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
