import { prettyJson } from '../format';
import { dead } from '../model';
import type { DeadLetter } from '../types';
import { AdminButton } from './AdminButton';
import { ErrorList } from './ErrorList';
import { RowMenu } from './RowMenu';
import { Time } from './Time';

const COLUMNS = 7;

function PayloadEditor({ queue }: { queue: string }) {
  const draft = dead.editor.value;
  const check = dead.editorCheck.value;
  if (!draft) return null;
  return (
    <form
      class="editor"
      onSubmit={(e) => {
        e.preventDefault();
        void dead.retryEdited(queue);
      }}
    >
      <label class="field">
        <span>Edit the payload (JSON), then retry</span>
        <textarea
          name="payload"
          rows={Math.min(16, Math.max(4, draft.text.split('\n').length + 1))}
          spellcheck={false}
          value={draft.text}
          aria-invalid={check?.ok === false}
          onInput={(e) => dead.editText(e.currentTarget.value)}
        />
      </label>
      {check?.ok === false && <p class="error-text">Not valid JSON: {check.error}</p>}
      <div class="row-actions">
        <AdminButton type="submit" class="button primary" disabled={!check?.ok}>
          Retry with this payload
        </AdminButton>
        <button type="button" class="button" onClick={dead.cancelEdit}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function DeadLetterRow({ letter, queue }: { letter: DeadLetter; queue: string }) {
  const isOpen = dead.open.value.has(letter.id);
  const editing = dead.editor.value?.id === letter.id;
  const last = letter.errors.at(-1);
  return (
    <>
      <tr class={isOpen ? 'open' : undefined} data-testid="dead-row" data-id={letter.id}>
        <td class="check">
          <input
            type="checkbox"
            aria-label={`Select job ${letter.id}`}
            checked={dead.selected.value.has(letter.id)}
            onChange={() => dead.toggleSelected(letter.id)}
          />
        </td>
        <td data-label="Job">
          <button
            type="button"
            class="link-button mono"
            aria-expanded={isOpen}
            onClick={() => dead.toggleOpen(letter.id)}
          >
            {isOpen ? '▾' : '▸'} {letter.id}
          </button>
        </td>
        <td>
          <span class={`reason reason-${letter.reason}`}>{letter.reason}</span>
        </td>
        <td class="clip wide" title={last ? `${last.name}: ${last.message}` : undefined}>
          {last ? `${last.name}: ${last.message}` : '–'}
        </td>
        <td class="num" data-label="Attempts">
          {letter.attempts}
        </td>
        <td class="nowrap" data-label="Dead at">
          <Time ms={letter.deadAt} />
        </td>
        <td class="wide">
          <RowMenu label={`job ${letter.id}`}>
            <AdminButton class="button small" onClick={() => dead.retryOne(queue, letter.id)}>
              Retry
            </AdminButton>
            <AdminButton class="button small" onClick={() => dead.startEdit(letter)}>
              Edit
            </AdminButton>
            <AdminButton class="button small danger-outline" onClick={() => dead.deleteOne(queue, letter.id)}>
              Delete
            </AdminButton>
          </RowMenu>
        </td>
      </tr>
      {isOpen && (
        <tr class="detail">
          <td colSpan={COLUMNS}>
            <div class="detail-body">
              <div class="detail-meta muted">
                Enqueued <Time ms={letter.enqueuedAt} /> · dead since <Time ms={letter.deadAt} /> ·{' '}
                {letter.attempts} attempt{letter.attempts === 1 ? '' : 's'}
              </div>
              <div class="row-actions detail-actions">
                <AdminButton class="button small" onClick={() => dead.retryOne(queue, letter.id)}>
                  Retry
                </AdminButton>
                {!editing && (
                  <AdminButton class="button small" onClick={() => dead.startEdit(letter)}>
                    Edit payload, then retry
                  </AdminButton>
                )}
                <AdminButton
                  class="button small danger-outline"
                  onClick={() => dead.deleteOne(queue, letter.id)}
                >
                  Delete
                </AdminButton>
              </div>
              <h3>Payload</h3>
              {letter.raw !== undefined && letter.payload === undefined ? (
                <pre class="code" data-testid="payload">
                  {letter.raw}
                </pre>
              ) : (
                <pre class="code" data-testid="payload">
                  {prettyJson(letter.payload)}
                </pre>
              )}
              {editing && <PayloadEditor queue={queue} />}
              <h3>Errors ({letter.errors.length})</h3>
              <ErrorList errors={letter.errors} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
