/** Bounded waiting on a condition re-checked whenever the owner calls `notify()`. */
export class Waiters {
  private readonly pending = new Set<() => void>();

  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.pending.delete(listener);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.pending.delete(listener);
        reject(new Error(`drachtio double: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.pending.add(listener);
    });
  }

  notify(): void {
    for (const listener of [...this.pending]) listener();
  }
}

export const DEFAULT_WAIT_MS = 3000;
