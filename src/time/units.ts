/** Lengths of time in milliseconds, named once for the whole code base. */

/** One day of 24 hours, in ms (calendar days in a time zone: src/time/zoned-time.ts). */
export const DAY_MS = 86_400_000;
