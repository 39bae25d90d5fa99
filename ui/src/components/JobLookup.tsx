import { prettyJson } from '../format';
import { jobs, queue } from '../model';
import type { Job } from '../types';
import { ErrorList } from './ErrorList';
import { Time } from './Time';

const UNTIL_LABEL: Record<Job['state'], string> = {
  waiting: '',
  active: 'Lease until',
  delayed: 'Due at',
  dead: 'Dead since',
  completed: '',
};

/** Level 3 is the default: the API names a job's priority only when it was given another. */
const DEFAULT_PRIORITY = 3;

function Result({ result }: { result: jobs.ResultView }) {
  if ('value' in result) {
    return (
      <pre class="code" data-testid="job-result">
        {prettyJson(result.value)}
      </pre>
    );
  }
  return (
    <p class="muted" data-testid="job-no-result">
      {'notKept' in result ? `Not kept: ${result.notKept}` : result.none}
    </p>
  );
}

function JobCard({ job, result }: { job: Job; result: jobs.ResultView | undefined }) {
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
          <dt>Priority</dt>
          <dd data-testid="job-priority">{job.priority ?? `${DEFAULT_PRIORITY} (default)`}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>
            {job.attempts} ({job.deliveries} deliver{job.deliveries === 1 ? 'y' : 'ies'})
          </dd>
        </div>
        <div>
          <dt>Enqueued</dt>
          <dd>
            <Time ms={job.enqueuedAt} />
          </dd>
        </div>
        {job.until !== undefined && UNTIL_LABEL[job.state] && (
          <div>
            <dt>{UNTIL_LABEL[job.state]}</dt>
            <dd>
              <Time ms={job.until} />
            </dd>
          </div>
        )}
        {job.finishedAt !== undefined && (
          <div>
            <dt>Finished</dt>
            <dd data-testid="job-finished">
              <Time ms={job.finishedAt} />
            </dd>
          </div>
        )}
      </dl>
      {job.progress !== undefined && (
        <>
          <h3>Progress</h3>
          <pre class="code" data-testid="job-progress">
            {prettyJson(job.progress)}
          </pre>
        </>
      )}
      {result && (
        <>
          <h3>Result</h3>
          <Result result={result} />
        </>
      )}
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
      {result.status === 'missing' && (
        <p class="muted" data-testid="job-missing">
          {result.message}
        </p>
      )}
      {result.status === 'found' && <JobCard job={result.job} result={result.result} />}
    </section>
  );
}
