import { formatTime, prettyJson } from '../format';
import { jobs, queue } from '../model';
import type { Job } from '../types';
import { ErrorList } from './ErrorList';

const UNTIL_LABEL: Record<Job['state'], string> = {
  waiting: '',
  active: 'Lease until',
  delayed: 'Due at',
  dead: 'Dead since',
};

function JobCard({ job }: { job: Job }) {
  return (
    <div class="job" data-testid="job">
      <dl class="facts">
        <div>
          <dt>Job</dt>
          <dd class="mono">{job.id}</dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>
            <span class={`state state-${job.state}`}>{job.state}</span>
          </dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>
            {job.attempts} ({job.deliveries} deliver{job.deliveries === 1 ? 'y' : 'ies'})
          </dd>
        </div>
        <div>
          <dt>Enqueued</dt>
          <dd>{formatTime(job.enqueuedAt)}</dd>
        </div>
        {job.until !== undefined && UNTIL_LABEL[job.state] && (
          <div>
            <dt>{UNTIL_LABEL[job.state]}</dt>
            <dd>{formatTime(job.until)}</dd>
          </div>
        )}
      </dl>
      <h3>Payload</h3>
      <pre class="code">
        {job.raw !== undefined && job.payload === undefined ? job.raw : prettyJson(job.payload)}
      </pre>
      <h3>Errors ({job.errors.length})</h3>
      <ErrorList errors={job.errors} />
    </div>
  );
}

export function JobLookup() {
  const name = queue.value;
  const result = jobs.lookup.value;
  if (name === null) return null;
  return (
    <section class="panel" aria-labelledby="lookup-title">
      <div class="panel-head">
        <h2 id="lookup-title">Find a job</h2>
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void jobs.findJob(name);
        }}
      >
        <label class="field grow">
          <span>Job id</span>
          <input
            name="job-id"
            autocomplete="off"
            spellcheck={false}
            value={jobs.lookupId.value}
            onInput={(e) => {
              jobs.lookupId.value = e.currentTarget.value;
            }}
          />
        </label>
        <button type="submit" class="button primary" disabled={jobs.lookupId.value.trim() === ''}>
          Find
        </button>
      </form>
      {result.status === 'loading' && <p class="muted">Looking up {result.id}…</p>}
      {result.status === 'missing' && <p class="muted">{result.message}</p>}
      {result.status === 'found' && <JobCard job={result.job} />}
    </section>
  );
}
