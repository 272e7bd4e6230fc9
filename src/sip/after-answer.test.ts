import { afterEach, describe, expect, it, vi } from 'vitest';
import { AfterAnswer } from './after-answer.js';

describe('AfterAnswer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs nothing in the turn that gives the work, then everything in order once the loop has slept', async () => {
    const ran: number[] = [];
    const after = new AfterAnswer(() => undefined);
    after.run(() => ran.push(1));
    after.run(() => ran.push(2));
    await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
    // A setImmediate runs before the loop sleeps: the work waits for the timer.
    expect(ran).toEqual([]);
    expect(after.pending).toBe(2);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    expect(ran).toEqual([1, 2]);
    expect(after.pending).toBe(0);
  });

  it('arms one timer for all the work given while it waits', () => {
    vi.useFakeTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const after = new AfterAnswer(() => undefined);
    let n = 0;
    for (let i = 0; i < 100; i++) after.run(() => n++);
    expect(spy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(n).toBe(100);
    after.run(() => n++);
    expect(spy).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1);
    expect(n).toBe(101);
  });

  it('reports a task that throws and still runs the others', () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const after = new AfterAnswer((err) => errors.push(err));
    const ran: string[] = [];
    after.run(() => ran.push('a'));
    after.run(() => {
      throw new Error('boom');
    });
    after.run(() => ran.push('c'));
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['a', 'c']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it("runNow runs a task at once and reports its fault as a waiting task's", () => {
    const errors: unknown[] = [];
    const after = new AfterAnswer((err) => errors.push(err));
    let n = 0;
    after.runNow(() => n++);
    after.runNow(() => {
      throw new Error('late');
    });
    expect(n).toBe(1);
    expect(after.pending).toBe(0);
    expect((errors[0] as Error).message).toBe('late');
  });

  it('flush runs the waiting work at once and disarms the timer', () => {
    vi.useFakeTimers();
    const after = new AfterAnswer(() => undefined);
    let n = 0;
    after.run(() => n++);
    after.run(() => n++);
    after.flush();
    expect(n).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5);
    expect(n).toBe(2);
  });
});
