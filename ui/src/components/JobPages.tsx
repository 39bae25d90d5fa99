import '../views.css';
import type { ListedJob, ListedState } from '../api-views';
import { formatCount, formatDuration, prettyJson } from '../format';
import { browse, now, queue } from '../model';
import { AdminButton } from './AdminButton';
import { Time } from './Time';

const TITLES: Record<ListedState, string> = { active: 'Running', delayed: 'Delayed', completed: 'Completed' };
const WHEN: Record<ListedState, string> = { active: 'Lease until', delayed: 'Due', completed: 'Finished' };

function payloadText(job: ListedJob): string {
  const text = job.raw ?? prettyJson(job.payload).replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function When({ job, state }: { job: ListedJob; state: ListedState }) {
  if (state === 'completed') return <Time ms={job.finishedAt} />;
  if (job.until === undefined) return <>–</>;
  const left = job.until - now.value;
  const label =
    state === 'delayed'
      ? left > 0
        ? `in ${formatDuration(left)}`
        : 'due now'
      : `lease ${formatDuration(left)}`;
  return (
    <span>
      <Time ms={job.until} /> <span class="muted">{label}</span>
    </span>
  );
}

function Row({ job, state, queueName }: { job: ListedJob; state: ListedState; queueName: string }) {
  const holder = browse.holders.value.get(job.id);
  return (
    <tr data-testid="job-row">
      <td class="mono">{job.id}</td>
      <td class="clip wide mono">{payloadText(job)}</td>
      <td class="num" data-label="Attempts">
        {job.attempts}
      </td>
      <td class="nowrap" data-label={WHEN[state]}>
        <When job={job} state={state} />
      </td>
      {state === 'active' && (
        <td class="nowrap" data-label="Engine" data-testid="holder" title={holder?.engine}>
          {holder
            ? `${holder.host ?? holder.engine}${holder.pid === undefined ? '' : ` · pid ${holder.pid}`}`
            : '–'}
        </td>
      )}
      {state === 'delayed' && (
        <td>
          <AdminButton class="button small" onClick={() => browse.runNow(queueName, job.id)}>
            Run now
          </AdminButton>
        </td>
      )}
    </tr>
  );
}

function Pager() {
  const total = browse.page.value?.total ?? 0;
  const offset = browse.offset.value;
  const shown = browse.page.value?.items.length ?? 0;
  return (
    <div class="pager">
      <span class="muted" data-testid="job-range">
        {formatCount(shown === 0 ? 0 : offset + 1)}–{formatCount(offset + shown)} of {formatCount(total)}
      </span>
      <button
        type="button"
        class="button small"
        disabled={offset === 0}
        onClick={() => browse.goToPage(offset - browse.PAGE_SIZE)}
      >
        Previous
      </button>
      <button
        type="button"
        class="button small"
        disabled={offset + shown >= total}
        onClick={() => browse.goToPage(offset + browse.PAGE_SIZE)}
      >
        Next
      </button>
    </div>
  );
}

export function JobPages() {
  const name = queue.value;
  if (name === null) return null;
  const state = browse.state.value;
  const page = browse.page.value;
  const rows = browse.rows.value;
  const empty =
    state === 'completed'
      ? 'No completed job is kept (see the retention setting: by default only counters are).'
      : state === 'active'
        ? 'No job is running.'
        : 'No delayed job.';
  return (
    <section class="panel" aria-labelledby="pages-title">
      <div class="panel-head">
        <h2 id="pages-title">{TITLES[state]} jobs</h2>
      </div>
      <div class="view-controls">
        <fieldset class="segmented">
          <legend class="visually-hidden">State</legend>
          {browse.STATES.map((s) => (
            <button
              key={s}
              type="button"
              class="button small"
              aria-pressed={s === state}
              onClick={() => browse.choose(s)}
            >
              {TITLES[s]}
            </button>
          ))}
        </fieldset>
        <label class="field grow">
          <span>Filter this page</span>
          <input
            type="search"
            placeholder="id or payload contains…"
            value={browse.filterText.value}
            onInput={(e) => {
              browse.filterText.value = e.currentTarget.value;
            }}
          />
        </label>
      </div>
      {browse.loadError.value && <p class="error-text">Cannot list the jobs: {browse.loadError.value}</p>}
      {page && page.items.length === 0 && <p class="muted empty">{empty}</p>}
      {page && page.items.length > 0 && rows.length === 0 && (
        <p class="muted empty">No job on this page matches the filter.</p>
      )}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="table cards" data-testid="job-pages">
            <thead>
              <tr>
                <th>Job</th>
                <th>Payload</th>
                <th class="num">Attempts</th>
                <th>{WHEN[state]}</th>
                {state === 'active' && <th>Engine</th>}
                {state === 'delayed' && (
                  <th>
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((job) => (
                <Row key={job.id} job={job} state={state} queueName={name} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && <Pager />}
    </section>
  );
}
