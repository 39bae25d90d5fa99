import '../views.css';
import type { Schedule } from '../api-views';
import { formatDuration } from '../format';
import { now, queue, schedules } from '../model';
import { AdminButton } from './AdminButton';
import { Time } from './Time';

function specText(spec: Schedule['spec']): string {
  if (spec.cron !== undefined) return spec.cron;
  if (spec.every !== undefined) return `every ${formatDuration(spec.every)}`;
  return '–';
}

function ScheduleRow({ item, queueName }: { item: Schedule; queueName: string }) {
  const inMs = item.next - now.value;
  return (
    <tr data-testid="schedule-row">
      <td class="mono">{item.name}</td>
      <td class="mono">{specText(item.spec)}</td>
      <td data-label="Time zone">{item.spec.cron !== undefined ? (item.spec.tz ?? 'UTC') : '–'}</td>
      <td class="nowrap" data-label="Next fire">
        <Time ms={item.next} /> <span class="muted">{inMs > 0 ? `in ${formatDuration(inMs)}` : 'due'}</span>
      </td>
      <td class="nowrap" data-label="Last fire">
        {item.lastFired === undefined ? 'never' : <Time ms={item.lastFired} />}
      </td>
      <td>
        <AdminButton
          class="button small danger-outline"
          onClick={() => schedules.remove(queueName, item.name)}
        >
          Remove
        </AdminButton>
      </td>
    </tr>
  );
}

export function Schedules() {
  const name = queue.value;
  if (name === null) return null;
  const list = schedules.list.value;
  return (
    <section class="panel" aria-labelledby="schedules-title">
      <div class="panel-head">
        <h2 id="schedules-title">Schedules</h2>
        <span class="muted">{list ? `${list.length} defined, soonest first` : ''}</span>
      </div>
      {schedules.loadError.value && (
        <p class="error-text">Cannot list the schedules: {schedules.loadError.value}</p>
      )}
      {list && list.length === 0 && (
        <p class="muted empty">
          No schedules. Create one with upsertSchedule or PUT /api/queues/{name}/schedules/:name.
        </p>
      )}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table class="table cards" data-testid="schedules">
            <thead>
              <tr>
                <th>Name</th>
                <th>Spec</th>
                <th>Time zone</th>
                <th>Next fire</th>
                <th>Last fire</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((item) => (
                <ScheduleRow key={item.name} item={item} queueName={name} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
