import { describe, expect, it } from 'vitest';
import { runScenario } from './lib/scenario.js';
import { criteriaList } from './lib/table.js';
import { CI_SUBSET, SCENARIOS } from './scenarios/index.js';

// The fast subset of the fault suite (RELIABILITY.md §3), at small scale; `npm run faults` runs
// every scenario at full scale.
describe.sequential('fault scenarios (small scale)', () => {
  for (const id of CI_SUBSET) {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`no scenario ${id}`);
    it(`${id}: ${scenario.title} — every criterion holds`, { timeout: 180_000 }, async () => {
      const result = await runScenario(scenario, 'small');
      const failed = result.criteria.filter((c) => !c.pass).map((c) => `${c.name}: ${c.value}`);
      expect(failed, criteriaList(result)).toEqual([]);
    });
  }
});
