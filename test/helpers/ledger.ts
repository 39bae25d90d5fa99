import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** One execution as the ledger fixture handler records it. */
export interface LedgerLine {
  id: string;
  attempt: number;
  pid: number;
}

const ledgerDirs: string[] = [];

/** A fresh ledger file, published to the worker threads through SLUICE_LEDGER (set before the engine starts). */
export function useLedger(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ledger-'));
  ledgerDirs.push(dir);
  const path = join(dir, 'ledger');
  process.env.SLUICE_LEDGER = path;
  return path;
}

export function readLedger(path: string): LedgerLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', attempt = '', pid = ''] = line.split(' ');
      return { id, attempt: Number(attempt), pid: Number(pid) };
    });
}

afterEach(() => {
  delete process.env.SLUICE_LEDGER;
  for (const dir of ledgerDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
