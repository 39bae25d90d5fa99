import type { Scenario } from '../lib/scenario.js';
import { t1, t2, t17 } from './engine-crash.js';
import { t8, t9, t10, t11, t12, t13 } from './handler-faults.js';
import { t15, t16 } from './races.js';
import { t3, t4, t5, t6, t7, t14 } from './redis-faults.js';

/** Every scenario of RELIABILITY.md §3 but T18 (the API's request matrix: test/api). */
export const SCENARIOS: readonly Scenario[] = [
  t1,
  t2,
  t3,
  t4,
  t5,
  t6,
  t7,
  t8,
  t9,
  t10,
  t11,
  t12,
  t13,
  t14,
  t15,
  t16,
  t17,
];

/** The subset `npm test` runs at small scale. */
export const CI_SUBSET = ['T1', 'T3', 'T5', 'T7', 'T8', 'T11', 'T14'] as const;
