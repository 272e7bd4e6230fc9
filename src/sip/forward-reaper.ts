/**
 * The last word on forwarded requests: one that drachtio-server has not reported on within `pbx.finalTimeout`
 * is ended by crocetta (`outcome: timeout`) and lets go of what it holds. drachtio-server answers the caller
 * itself (its Timers B and C), but says nothing to the app about a proxied INVITE the caller cancelled, and
 * nothing at all when its proxy fails before sending anything or the connection drops.
 *
 * Every forward has the same timeout, so the Map's insertion order is the order of the deadlines: a sweep looks
 * only at the oldest entries. One unref'd timer runs while anything is watched.
 */
export class ForwardReaper {
  private readonly open = new Map<number, { deadline: number; expire: () => void }>();
  private nextId = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  constructor(
    readonly timeoutMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tickMs = Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  /** Forwards being watched. */
  get size(): number {
    return this.open.size;
  }

  /** Watches one forward: `expire` runs once if it is still watched after the timeout. Returns the unwatch. */
  watch(expire: () => void): () => void {
    const id = this.nextId++;
    this.open.set(id, { deadline: this.now() + this.timeoutMs, expire });
    this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
    return () => {
      this.open.delete(id);
    };
  }

  /** Expires every forward past its deadline; returns how many. */
  sweep(): number {
    const now = this.now();
    let expired = 0;
    for (const [id, entry] of this.open) {
      if (entry.deadline > now) break;
      this.open.delete(id);
      expired++;
      try {
        entry.expire();
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.open.size === 0) this.stop();
    return expired;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
