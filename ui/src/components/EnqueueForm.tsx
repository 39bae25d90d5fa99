import { jobs, queue } from '../model';
import { AdminButton } from './AdminButton';

function summary(ids: string[]): string {
  if (ids.length === 0) return 'No job added.';
  if (ids.length === 1) return `Added job ${ids[0]}.`;
  return `Added ${ids.length} jobs, ${ids[0]} … ${ids.at(-1)}.`;
}

export function EnqueueForm() {
  const name = queue.value;
  if (name === null) return null;
  const request = jobs.enqueueRequest.value;
  const last = jobs.lastEnqueued.value;
  return (
    <section class="panel" aria-labelledby="enqueue-title">
      <div class="panel-head">
        <h2 id="enqueue-title">Enqueue test jobs</h2>
      </div>
      <form
        class="stack-form"
        onSubmit={(e) => {
          e.preventDefault();
          void jobs.enqueue(name);
        }}
      >
        <div class="field-row">
          <label class="field">
            <span>Count</span>
            <input
              name="count"
              type="number"
              min={1}
              max={1000}
              value={jobs.enqueueCount.value}
              onInput={(e) => {
                jobs.enqueueCount.value = e.currentTarget.value;
              }}
            />
          </label>
          <label class="field">
            <span>Attempts</span>
            <input
              name="attempts"
              type="number"
              min={1}
              placeholder="3"
              value={jobs.enqueueAttempts.value}
              onInput={(e) => {
                jobs.enqueueAttempts.value = e.currentTarget.value;
              }}
            />
          </label>
          <label class="field">
            <span>Delay (ms)</span>
            <input
              name="delay"
              type="number"
              min={0}
              placeholder="0"
              value={jobs.enqueueDelay.value}
              onInput={(e) => {
                jobs.enqueueDelay.value = e.currentTarget.value;
              }}
            />
          </label>
        </div>
        <label class="field">
          <span>Payload (JSON, the same for every job)</span>
          <textarea
            name="payload"
            rows={5}
            spellcheck={false}
            value={jobs.enqueuePayload.value}
            aria-invalid={!request.ok}
            onInput={(e) => {
              jobs.enqueuePayload.value = e.currentTarget.value;
            }}
          />
        </label>
        {!request.ok && <p class="error-text">{request.error}</p>}
        <div class="row-actions">
          <AdminButton type="submit" class="button primary" disabled={!request.ok || jobs.enqueueBusy.value}>
            {request.ok ? `Enqueue ${request.count} job${request.count === 1 ? '' : 's'}` : 'Enqueue'}
          </AdminButton>
          {last && (
            <span class="muted" data-testid="enqueued">
              {summary(last)}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
