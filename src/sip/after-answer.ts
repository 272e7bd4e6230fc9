/**
 * Work a call does after its answer (the decision line and metrics; answering first, the attempt's record), run
 * once the event loop has been idle: on one shared timer, not in the turn that handed the answer to drachtio-srf.
 *
 * Why: the answer is written to drachtio-server's socket synchronously, which wakes drachtio-server to send it on.
 * Work the app does right after, in the same turn or a setImmediate (both before the loop sleeps), competes for the
 * CPU drachtio-server was just woken for on this 2-core class of machine: measured through a real drachtio-server at
 * 100 proxied calls/s (session 13, proxy13), drachtio-server took 529 µs (p50) from the proxy command to the INVITE
 * leaving for the PBX with the line in the answer's turn, against 436 µs with it on a 1-ms timer (bare app 403–418).
 * One timer serves every call that answers while it is armed, so at high rates this is also fewer loop phases a call.
 */
export class AfterAnswer {
  private tasks: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly drainNow = (): void => this.drain();

  /**
   * @param delayMs how long the loop may sleep before the work runs (1 ms: the smallest timer Node keeps)
   * @param onError a task that throws is reported here; the others still run
   */
  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = 1,
  ) {}

  /** Runs `task` after this turn, once the loop has slept (in the order given). */
  run(task: () => void): void {
    this.tasks.push(task);
    this.timer ??= setTimeout(this.drainNow, this.delayMs);
  }

  /**
   * Runs `task` now, its fault reported as a waiting task's: for work that is already past the answer and the
   * loop's sleep (the verdict memo's front runs a call's whole way on this timer: handle-request.ts).
   */
  runNow(task: () => void): void {
    try {
      task();
    } catch (err) {
      this.onError(err);
    }
  }

  /** Runs every waiting task now (on stop: the last calls' lines are written before the log is flushed). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.drain();
  }

  /** Tasks waiting to run. */
  get pending(): number {
    return this.tasks.length;
  }

  private drain(): void {
    this.timer = null;
    const tasks = this.tasks;
    if (tasks.length === 0) return;
    this.tasks = [];
    for (const task of tasks) this.runNow(task);
  }
}
