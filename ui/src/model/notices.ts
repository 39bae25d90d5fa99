// Transient messages (results and failures of actions) and the one confirmation dialog.
import { computed, signal } from '@preact/signals';
import { ApiError } from '../api';
import { askForToken } from './auth';

export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

export const notices = signal<Notice[]>([]);
let nextId = 1;

/** Shows a notice for a few seconds (failures longer); at most the 3 newest are shown. */
export function notify(kind: Notice['kind'], text: string): void {
  const notice = { id: nextId++, kind, text };
  notices.value = [...notices.value, notice].slice(-3);
  setTimeout(() => dismiss(notice.id), kind === 'ok' ? 4000 : 9000);
}

export function dismiss(id: number): void {
  notices.value = notices.value.filter((n) => n.id !== id);
}

/** Runs an action; a failure becomes a notice (401/403 open the token field) and yields undefined. */
export async function attempt<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      notify('error', `${label}: the server wants a valid token`);
    } else if (error instanceof ApiError && error.status === 403) {
      askForToken('admin');
      notify('error', `${label}: this needs the admin token`);
    } else {
      notify('error', `${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return undefined;
  }
}

export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  /** When set, the operator must type exactly this before confirming. */
  typeToConfirm?: string;
  danger?: boolean;
  action(): Promise<unknown>;
}

export const confirmation = signal<Confirmation | null>(null);
export const confirmBusy = signal(false);
/** What the operator typed into a type-to-confirm field. */
export const confirmTyped = signal('');
export const confirmReady = computed(() => {
  const request = confirmation.value;
  return (
    request !== null && (request.typeToConfirm === undefined || confirmTyped.value === request.typeToConfirm)
  );
});

export function ask(request: Confirmation): void {
  confirmTyped.value = '';
  confirmation.value = request;
}

export function cancelConfirmation(): void {
  if (!confirmBusy.value) confirmation.value = null;
}

export async function acceptConfirmation(): Promise<void> {
  const request = confirmation.value;
  if (!request || !confirmReady.value || confirmBusy.value) return;
  confirmBusy.value = true;
  try {
    await request.action();
  } finally {
    confirmBusy.value = false;
    confirmation.value = null;
  }
}
