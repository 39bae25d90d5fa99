// Clean build: stale files in dist/ would otherwise outlive their sources.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
  stdio: 'inherit',
});
// The operator monitor (ui/), bundled by Vite into dist/ui, which the API serves at `/`.
execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'ui/vite.config.ts'], {
  stdio: 'inherit',
});
