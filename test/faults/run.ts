/**
 * `npm run faults`: the fault scenarios of RELIABILITY.md §3 at full scale (or `--scale small`),
 * each on its own redis-server, printing the checker's table; a complete full run rewrites
 * test/faults/RESULTS.md. Exit code 1 when any criterion failed or a scenario could not run.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { passed, type Result, runScenario, type Scale } from './lib/scenario.js';
import { criteriaList, summaryTable } from './lib/table.js';
import { SCENARIOS } from './scenarios/index.js';

const { values } = parseArgs({
  options: { scenario: { type: 'string' }, scale: { type: 'string', default: 'full' } },
});
const scale = values.scale as Scale;
if (scale !== 'small' && scale !== 'full') throw new Error('--scale must be small or full');
const wanted = values.scenario?.split(',').map((s) => s.trim().toUpperCase());
const chosen = SCENARIOS.filter((s) => !wanted || wanted.includes(s.id.toUpperCase()));

const RESULTS = new URL('RESULTS.md', import.meta.url);
const results: Result[] = [];
let broken = 0;
for (const scenario of chosen) {
  process.stdout.write(`${scenario.id} ${scenario.title} ... `);
  try {
    const result = await runScenario(scenario, scale);
    results.push(result);
    console.log(`${passed(result) ? 'PASS' : 'FAIL'} (${result.seconds} s)`);
    console.log(criteriaList(result).split('\n').slice(2).join('\n'));
  } catch (error) {
    broken += 1;
    console.log(`ERROR: ${(error as Error).stack}`);
  }
}
const table = summaryTable(results);
console.log(`\n${table}`);

if (scale === 'full' && !wanted && broken === 0) {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
  writeFileSync(
    RESULTS,
    [
      '# Fault suite: latest full run',
      '',
      `Command: \`npm run faults\` (${new Date().toISOString().slice(0, 10)}, ${machine}).`,
      'Each scenario ran on its own redis-server; engines and producers were child processes.',
      '"lost" counts acknowledged jobs neither completed nor dead-lettered; "duplicates" is',
      'Σ (successful executions − 1) over jobs; "bound" is what the criterion allows.',
      '',
      table,
      '',
      '## Criteria',
      '',
      results.map(criteriaList).join('\n\n'),
      '',
    ].join('\n'),
  );
  // The project's formatter has the last word on layout, so `biome check` stays clean.
  const biome = fileURLToPath(new URL('../../node_modules/@biomejs/biome/bin/biome', import.meta.url));
  execFileSync(process.execPath, [biome, 'format', '--write', fileURLToPath(RESULTS)]);
  console.log('\nwrote test/faults/RESULTS.md');
}
process.exitCode = broken > 0 || results.some((r) => !passed(r)) ? 1 : 0;
