/**
 * The demo's clock. While a trace is replayed it stands still at the time of the event being played (a call's
 * arrival, its hang-up, the office's mark), set by the replay: crocetta decides, registers and measures talk
 * times exactly as it would have at that moment, however fast the replay runs. After the replay it follows the
 * real time (never going back), so the panel's "today" is today.
 */
import type { Clock } from '../src/screening/types.js';

export class ReplayClock implements Clock {
  private at: number | null;
  private floor = 0;

  constructor(start: number) {
    this.at = start;
  }

  now(): number {
    return this.at ?? Math.max(Date.now(), this.floor);
  }

  /** Moves the replay's time forward to `t` (never back: events are played in order). */
  set(t: number): void {
    if (this.at === null) throw new Error('the replay is over: the clock follows the real time');
    this.at = Math.max(this.at, t);
  }

  /** The replay is over: from now on the clock is the real time (or the last replayed instant, if later). */
  live(): void {
    if (this.at !== null) this.floor = this.at;
    this.at = null;
  }

  get replaying(): boolean {
    return this.at !== null;
  }
}
