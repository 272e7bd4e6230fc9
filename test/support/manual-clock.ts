import type { Clock } from '../../src/screening/types.js';

/** A clock the test moves by hand (tests only); starts at a fixed Thursday morning in Rome unless told. */
export class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-11-05T09:30:00+01:00')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
