/**
 * Failed logins per client address, shared by the panel's login and the PBX's REGISTER (its digest password):
 * at most `max` failures in `windowMs`, then that address is refused until the window passes.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(client: string): boolean {
    const f = this.failures.get(client);
    if (f === undefined) return false;
    if (f.resetAt <= this.now()) {
      this.failures.delete(client);
      return false;
    }
    return f.count >= this.max;
  }

  fail(client: string): void {
    const now = this.now();
    const f = this.failures.get(client);
    if (f === undefined || f.resetAt <= now) {
      if (this.failures.size > 50_000) this.failures.clear();
      this.failures.set(client, { count: 1, resetAt: now + this.windowMs });
    } else f.count++;
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }
}
