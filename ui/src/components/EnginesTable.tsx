import { formatAgo, formatCount, formatRate, formatTime } from '../format';
import { engines, enginesError, now } from '../model';

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
          <table class="table" data-testid="engines">
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
                  <td title={e.id}>{e.host}</td>
                  <td class="num">{e.pid}</td>
                  <td class="num">{e.threads}</td>
                  <td class="num">{formatCount(e.inFlight)}</td>
                  <td class="num">{formatRate(e.jobsPerSec)}</td>
                  <td title={new Date(e.startedAt).toISOString()}>{formatTime(e.startedAt)}</td>
                  <td>{formatAgo(Math.min(e.seenAt, now.value), now.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
