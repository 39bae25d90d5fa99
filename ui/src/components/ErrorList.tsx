import type { ErrorEntry } from '../types';
import { Time } from './Time';

/** One entry per failed attempt, newest first: reason, name and message, time, and the stack. */
export function ErrorList({ errors }: { errors: ErrorEntry[] }) {
  if (errors.length === 0) return <p class="muted">No error recorded.</p>;
  const numbered = errors.map((e, i) => ({ e, attempt: i + 1 })).reverse();
  return (
    <ol class="errors">
      {numbered.map(({ e, attempt }) => (
        <li key={attempt} class="error-entry">
          <div class="error-head">
            <span class={`reason reason-${e.reason}`}>{e.reason}</span>
            <span class="error-message">
              <strong>{e.name}</strong>: {e.message}
            </span>
            <span class="muted nowrap">
              #{attempt} · <Time ms={e.at} />
            </span>
          </div>
          {e.stack && <pre class="code stack">{e.stack}</pre>}
        </li>
      ))}
    </ol>
  );
}
