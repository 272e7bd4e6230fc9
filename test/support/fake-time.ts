/**
 * A clock and timers a test moves by hand, for the registration state machine (tests only). `advance()` fires due
 * timers in time order and lets the promises they start settle before moving on.
 */
import type { TimerPort } from '../../src/trunk/registration.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeTime implements TimerPort {
  private t: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2026-11-05T09:30:00+01:00')) {
    this.t = start;
  }

  now = (): number => this.t;

  set(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn };
    this.pending.push(timer);
    return timer.id;
  }

  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Timers still waiting (for "nothing left running" checks). */
  get count(): number {
    return this.pending.length;
  }

  /** Lets every promise chain that can settle now settle. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await this.settle();
    for (;;) {
      const due = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await this.settle();
    }
    this.t = until;
  }
}
