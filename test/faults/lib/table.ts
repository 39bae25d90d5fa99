import type { Result } from './scenario.js';
import { passed } from './scenario.js';

/** The summary table (Markdown, also readable on a terminal). */
export function summaryTable(results: readonly Result[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.id} | ${r.fault} | ${r.jobs} | ${r.lost ?? '—'} | ${r.duplicates ?? '—'} | ${r.bound} | ${r.seconds} s | ${passed(r) ? 'PASS' : 'FAIL'} |`,
  );
  return [
    '| scenario | fault | jobs | lost | duplicates | bound | time | result |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | --- |',
    ...rows,
  ].join('\n');
}

/** Every criterion of one scenario with its measured value. */
export function criteriaList(result: Result): string {
  const lines = result.criteria.map((c) => `- ${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.value}`);
  for (const note of result.notes) lines.push(`- note: ${note}`);
  return [`### ${result.id}: ${result.title}`, '', ...lines].join('\n');
}
