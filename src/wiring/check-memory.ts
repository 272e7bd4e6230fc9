/** The memory of passed human checks, as the call path and the number page both read it (the register keeps it). */
import type { Config } from '../config/schema.js';
import type { CheckMemory } from '../screening/check-memory.js';
import { dayFormatter } from '../screening/dates.js';
import type { Register } from '../store/register/types.js';

export function checkMemoryOf(config: Config, register: Register): CheckMemory {
  return {
    passedAt: (key: string) => register.checkPassedAt(key),
    markOf: (key: string) => register.evidenceFor(key).mark,
    rememberDays: config.check.rememberDays,
    dates: dayFormatter(config.timeZone),
  };
}
