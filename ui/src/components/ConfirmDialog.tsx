import { useEffect, useRef } from 'preact/hooks';
import {
  acceptConfirmation,
  cancelConfirmation,
  confirmation,
  confirmBusy,
  confirmReady,
  confirmTyped,
} from '../model';

export function ConfirmDialog() {
  const request = confirmation.value;
  const input = useRef<HTMLInputElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!request) return;
    (input.current ?? cancel.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancelConfirmation();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [request]);

  if (!request) return null;
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
        <form
          class="dialog-form"
          onSubmit={(e) => {
            e.preventDefault();
            void acceptConfirmation();
          }}
        >
          <h2 id="confirm-title">{request.title}</h2>
          <p>{request.message}</p>
          {request.typeToConfirm !== undefined && (
            <label class="field">
              <span>
                Type <code>{request.typeToConfirm}</code> to confirm
              </span>
              <input
                ref={input}
                name="confirm"
                autocomplete="off"
                spellcheck={false}
                value={confirmTyped.value}
                onInput={(e) => {
                  confirmTyped.value = e.currentTarget.value;
                }}
              />
            </label>
          )}
          <div class="dialog-actions">
            <button
              ref={cancel}
              type="button"
              class="button"
              onClick={cancelConfirmation}
              disabled={confirmBusy.value}
            >
              Cancel
            </button>
            <button
              type="submit"
              class={request.danger ? 'button danger' : 'button primary'}
              disabled={!confirmReady.value || confirmBusy.value}
            >
              {request.confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
