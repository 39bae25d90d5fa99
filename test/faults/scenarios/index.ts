import type { Scenario } from '../lib/scenario.js';
import { t13api, t18 } from './api.js';
import { t1, t2, t17, t19 } from './engine-crash.js';
import { t8, t9, t10, t11, t12, t13 } from './handler-faults.js';
import { t15, t16 } from './races.js';
import { t3, t4, t5, t6, t7, t14 } from './redis-faults.js';

/**
 * Every scenario of RELIABILITY.md §3; T13b is T13's half that goes through the API, and T19
 * (kill -9 between a settle-and-lease call and the hand-off of its block) came later.
 */
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
  t13api,
  t14,
  t15,
  t16,
  t17,
  t18,
  t19,
];

/** The subset `npm test` runs at small scale. */
export const CI_SUBSET = ['T1', 'T3', 'T5', 'T7', 'T8', 'T11', 'T14', 'T19'] as const;
