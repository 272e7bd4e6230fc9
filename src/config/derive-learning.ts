import { minutesOf } from '../screening/business-hours.js';
import type { LearningRules } from '../screening/learning.js';
import type { LearningConfig } from './learning-schema.js';

/** The classifier's learning rules from `screening.learning` (opening hours "08:30-13:00" → minutes). */
export function learningRules(c: LearningConfig): LearningRules {
  const { offHours, ...behaviour } = c.behaviour;
  return {
    behaviour: {
      ...behaviour,
      offHours: {
        enabled: offHours.enabled,
        weight: offHours.weight,
        hours: {
          days: offHours.days,
          intervals: offHours.hours.map((h) => {
            const [open, close] = h.split('-');
            return [minutesOf(open ?? ''), minutesOf(close ?? '')] as [number, number];
          }),
        },
      },
    },
    blocks: c.blocks,
    safety: c.safety,
    shaken: c.shaken,
    prefixes: c.prefixes,
  };
}
