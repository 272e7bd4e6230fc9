import { describe, expect, it } from 'vitest';
import { ForwardReaper } from './forward-reaper.js';

describe('forward reaper', () => {
  it('expires a forward once, after the timeout, unless it was unwatched', () => {
    let t = 0;
    const reaper = new ForwardReaper(
      1000,
      () => undefined,
      () => t,
    );
    const expired: string[] = [];
    reaper.watch(() => expired.push('a'));
    const unwatchB = reaper.watch(() => expired.push('b'));
    t = 500;
    reaper.watch(() => expired.push('c'));
    unwatchB();
    t = 999;
    expect(reaper.sweep()).toBe(0);
    t = 1000;
    expect(reaper.sweep()).toBe(1);
    t = 1500;
    expect(reaper.sweep()).toBe(1);
    expect(reaper.sweep()).toBe(0);
    expect(expired).toEqual(['a', 'c']);
    expect(reaper.size).toBe(0);
    reaper.stop();
  });

  it('goes on after an expiry that throws, and reports it', () => {
    let t = 0;
    const errors: unknown[] = [];
    const reaper = new ForwardReaper(
      10,
      (err) => errors.push(err),
      () => t,
    );
    const done: number[] = [];
    reaper.watch(() => {
      throw new Error('boom');
    });
    reaper.watch(() => done.push(2));
    t = 10;
    expect(reaper.sweep()).toBe(2);
    expect(done).toEqual([2]);
    expect(errors).toHaveLength(1);
    reaper.stop();
  });

  it("runs its timer only while something is watched, unref'd", () => {
    const reaper = new ForwardReaper(1000);
    const expired: number[] = [];
    reaper.watch(() => expired.push(1));
    const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timers).toBeGreaterThan(0);
    reaper.stop();
    expect(expired).toEqual([]);
  });
});
