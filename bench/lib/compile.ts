import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(BENCH, '..');
/** Child processes run from here (bench/results/*.tmp is git-ignored and not linted). */
export const BUILD_DIR = join(BENCH, 'results', 'build.tmp');
const SOURCES = ['lib', 'workers'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Copies Sluice's build (dist/, the lua/ scripts it loads from ../lua and the package.json it
 * reads its version from) next to the children, so a whole run measures one build even if dist/
 * is rebuilt while it runs.
 */
function snapshotSluice(): string {
  const dir = join(BUILD_DIR, 'sluice');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'lua'), join(dir, 'lua'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  return join(dir, 'dist', 'index.js');
}

/**
 * Transpiles the children's sources (bench/lib, bench/workers) to plain ES modules. Children
 * run without tsx because Sluice's and BullMQ's worker threads inherit the parent's execArgv:
 * a TypeScript loader there would add about 60 MB and 80 ms to every thread. Type checking is
 * `npx tsc --noEmit -p bench/tsconfig.json`; this step only strips types (and points the
 * imports of 'sluice' at the snapshot).
 */
export function compileChildren(): string {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const sluice = snapshotSluice();
  for (const source of SOURCES) {
    for (const file of tsFiles(join(BENCH, source))) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
          sourceMap: false,
        },
      });
      const out = join(BUILD_DIR, relative(BENCH, file)).replace(/\.ts$/, '.js');
      const toSluice = relative(dirname(out), sluice);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, outputText.replace(/from 'sluice'/g, `from './${toSluice}'`));
    }
  }
  return join(BUILD_DIR, 'workers', 'main.js');
}
