// The access token: kept in sessionStorage (gone when the tab closes), sent as a Bearer header.
import { batch, computed, signal } from '@preact/signals';
import { createClient } from '../api';
import type { Access } from '../types';

const STORAGE_KEY = 'sluice.token';

function stored(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export const token = signal(stored());
/** What the operator is typing into the token field. */
export const tokenDraft = signal('');

/**
 * Why the token field is shown: `read` after a 401 (no token or a wrong one), `admin` after a 403
 * (a read token on a mutating route); null while the token works.
 */
export const tokenPrompt = signal<null | 'read' | 'admin'>(null);

/** True while the server refuses to read anything to us: views wait for a token. */
export const locked = computed(() => tokenPrompt.value === 'read');

export function setToken(value: string): void {
  const trimmed = value.trim();
  try {
    if (trimmed) sessionStorage.setItem(STORAGE_KEY, trimmed);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage refused (private mode): the token lives as long as the page
  }
  batch(() => {
    tokenDraft.value = '';
    tokenPrompt.value = null;
    token.value = trimmed;
  });
}

export function forgetToken(): void {
  setToken('');
}

export function askForToken(reason: 'read' | 'admin'): void {
  tokenPrompt.value = reason;
}

export const client = createClient({
  token: () => token.peek(),
  unauthorized: () => askForToken('read'),
});

/** What the token may do, as the server says; null until it has (then nothing is disabled). */
export const access = signal<Access | null>(null);

/** Why the admin actions are disabled (their hover text), or null while they are allowed. */
export const adminBlocked = computed(() => (access.value === 'read' ? 'needs an admin token' : null));

/** Asks the server what the token may do; an older server without the route leaves it unknown. */
export async function loadAccess(): Promise<void> {
  try {
    access.value = (await client.whoami()).access;
  } catch {
    access.value = null;
  }
}
