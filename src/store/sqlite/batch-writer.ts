/**
 * Group commit, as database engines do it: a write that finds the writer idle is committed at once (after the
 * current JavaScript turn, so writes made in the same turn share it); writes that arrive while a commit runs wait
 * for it and then form the next batch together (at most `maxBatch` per transaction). Nothing anyone waits for ever
 * waits for a timer while the disk is well.
 *
 * Deferrable writes (`deferrable`: attempts already in the attempts journal, updates nobody waits for) are the
 * exception, under load only: a commit of deferrable writes alone starts no sooner than `deferMs` after the previous
 * commit started, unless they fill `deferRows`. A commit costs the machine far more than a row (node-sqlite3's trip
 * to its thread pool and back, SQLite's WAL append of every page the row and its indexes touch, several hundred µs
 * of CPU here whatever the batch's size), so at a thousand calls per second one commit per call, each of a row or
 * two, took a core's third on its own. Calls seconds apart are committed at once as before; a write someone waits for
 * (a mark, a row that is not journaled), a `flush()` or `close()` starts the commit at once with everything queued.
 *
 * The spool: when a batch fails because of the disk or the lock (SQLITE_FULL, an I/O error, SQLITE_BUSY past the
 * busy timeout...: `isRetryable`), its writes go back to the head of the queue and everything queued is *held*
 * in memory, in order, while the writer retries with a backoff (`retryMinMs` doubling up to `retryMaxMs`); the
 * first retry that commits drains the queue in order. A write that SQLite refuses for itself (a constraint, a
 * closed connection) is retried alone, so that it cannot take its batch down with it, and then given up. At most
 * `maxQueued` writes wait at any time: beyond, a new write is refused at once (lost, counted as `overflow`).
 * `close()` keeps trying for at most `closeTimeoutMs`, then gives up what is still held (counted as `shutdown`).
 */
import type { StoreLogger } from '../logger.js';
import {
  commitBatch,
  isRetryable,
  oneStatementRun,
  type AttemptInserter,
  type RowUpdater,
  type TransactionStatements,
  type WriteOp,
} from './commit-batch.js';
import { sqliteCode } from './connection.js';

export type {
  AttemptInserter,
  AttemptWrite,
  OtherWrite,
  RowUpdater,
  RowUpdateWrite,
  TransactionStatements,
  WriteOp,
} from './commit-batch.js';

export interface BatchInfo {
  size: number;
  durationMs: number;
  ok: boolean;
  error?: Error;
}

/** Why a write never reached the register. */
export type LostReason = 'overflow' | 'refused' | 'shutdown';

/** What the spool did, for metrics: writes held, held writes written at last, writes lost; and how many are held now. */
export type SpoolEvent = ({ type: 'held' } | { type: 'written' } | { type: 'lost'; reason: LostReason }) & {
  writes: number;
  heldNow: number;
};

export interface BatchWriterOptions {
  /** Most writes per transaction. */
  maxBatch: number;
  /** Deferrable writes alone start a commit no sooner than this after the previous one started (ms; 0: at once). */
  deferMs?: number;
  /** …unless this many are queued (a full multi-row INSERT). */
  deferRows?: number;
  /** Most writes waiting at any time (queued, or held while the disk refuses them). */
  maxQueued: number;
  /** First wait before retrying after the disk refused a batch; doubles up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long `close()` keeps retrying held writes before it gives them up. */
  closeTimeoutMs: number;
  logger: StoreLogger;
  onBatch?: (info: BatchInfo) => void;
  onSpool?: (event: SpoolEvent) => void;
  /** The statement that carries consecutive row updates (`kind: 'update'`) together; needed for updates without their own. */
  updater?: RowUpdater;
  /**
   * A batch whose head one statement carries (a run of attempts, a run of updates: commit-batch.ts' oneStatementRun)
   * commits that run as the statement alone, then the rest right after (no interval between), rather than all in
   * `BEGIN … COMMIT`: a trip to SQLite's thread per run instead of per run plus two. Each run is then a commit of its
   * own: cheap with synchronous=NORMAL (no fsync), not with FULL (an fsync each), where it stays off.
   */
  commitRunsAlone?: boolean;
}

export class RegisterClosedError extends Error {
  constructor(message = 'the register is closed') {
    super(message);
    this.name = 'RegisterClosedError';
  }
}

/** The queue is at its cap: the write is refused at once and lost. */
export class RegisterQueueFullError extends Error {
  constructor(max: number) {
    super(`the register holds ${max} writes waiting for the disk already (store.spoolMaxWrites): this one is lost`);
    this.name = 'RegisterQueueFullError';
  }
}

/** A period during which the disk refuses our writes. */
interface Outage {
  since: number;
  error: Error;
  retries: number;
  delayMs: number;
  lost: number;
  lastReport: number;
}

/** How often a long outage or a full queue is logged again (the first time is always logged). */
const REPORT_EVERY_MS = 30_000;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export class BatchWriter<S> {
  private queue: WriteOp<S>[] = [];
  /** True from the moment a commit loop is scheduled until its last look at the queue (same synchronous step). */
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private outage: Outage | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Writes that were held at least once (they are counted as written, or lost, when they leave). */
  private readonly held = new WeakSet<WriteOp<S>>();
  private heldNow = 0;
  /** Writes of the batch being committed (out of the queue, but waiting all the same). */
  private committing = 0;
  private overflowReported = { at: 0, count: 0 };
  /** When the last commit started (performance.now()), for deferrable writes. */
  private lastCommitAt = -Infinity;
  private deferTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tx: TransactionStatements,
    private readonly inserter: AttemptInserter,
    private readonly statements: S,
    private readonly options: BatchWriterOptions,
  ) {}

  /** False while the disk refuses writes (the spool holds them), until a retry commits. */
  get healthy(): boolean {
    return this.outage === undefined;
  }

  /** Writes waiting: queued, held, or in the batch being committed. */
  get queued(): number {
    return this.queue.length + this.committing;
  }

  /**
   * Whether `enqueue` would take a write now (not closed, the queue below `maxQueued`): one it would not take is
   * refused at once and lost. What the caller can tell someone before enqueueing (register.ts: an attempt journaled
   * at once is told durable only when the queue will keep it).
   */
  get accepting(): boolean {
    return !this.closed && this.queued < this.options.maxQueued;
  }

  /** Writes held in memory now because the disk refused them (or arrived while it did). */
  get spooled(): number {
    return this.heldNow;
  }

  /** `afterThisTurn`: an idle writer starts this commit with setImmediate rather than in a microtask. */
  enqueue(op: WriteOp<S>, afterThisTurn = false): void {
    if (this.closed) {
      op.failed(new RegisterClosedError());
      return;
    }
    if (this.queued >= this.options.maxQueued) {
      this.overflow(op);
      return;
    }
    this.queue.push(op);
    if (this.outage !== undefined) {
      this.hold([op]); // the retry timer takes it, in order
      return;
    }
    this.start(afterThisTurn);
  }

  /** A queued write stopped being deferrable (its journal write failed): commit now rather than after the interval. */
  wake(): void {
    if (this.queue.length > 0 && this.outage === undefined) this.start();
  }

  /**
   * Resolves once everything queued before the call was committed, given up, or is held because the disk
   * refuses writes (in which case one retry is made now, without waiting for the backoff).
   */
  flush(): Promise<void> {
    this.clearRetry();
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.start();
    });
  }

  /**
   * Resolves once the writes queued before the call are committed, so that a read made next sees them: a panel page
   * or an API read asked right after a call's answer (the attempt is journaled; its commit may be deferred for a few
   * ms). Starts that commit now. While the disk refuses writes it resolves at once: held writes cannot be read
   * anyway, and a reader must neither wait for the disk nor bring the retry forward (`flush()` does).
   */
  caughtUp(): Promise<void> {
    if (this.outage !== undefined || (this.queue.length === 0 && !this.running)) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.start();
    });
  }

  /** Refuses new writes; commits what is queued, retrying held writes for at most `closeTimeoutMs`. */
  async close(): Promise<void> {
    this.closed = true;
    const until = performance.now() + this.options.closeTimeoutMs;
    await this.flush();
    while (this.queue.length > 0 && performance.now() < until) {
      const wait = Math.min(this.outage?.delayMs ?? this.options.retryMinMs, until - performance.now());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      await this.flush();
    }
    this.clearRetry();
    const rest = this.queue;
    if (rest.length === 0) return;
    this.queue = [];
    this.options.logger.error(
      {
        lost: rest.length,
        code: sqliteCode(this.outage?.error),
        err: this.outage?.error,
        timeoutMs: this.options.closeTimeoutMs,
      },
      'register closed with writes the disk still refused: they are lost',
    );
    for (const op of rest)
      this.lose(op, new RegisterClosedError('the register closed before the disk accepted this write'), 'shutdown');
  }

  private start(afterThisTurn = false): void {
    if (this.running || this.retryTimer !== undefined) return;
    if (this.deferTimer !== undefined && !this.mustCommitNow()) return;
    this.clearDefer();
    this.running = true;
    // After the current code: the writes made in the same turn as this one share its commit. Later, after the turn's
    // I/O callbacks (a SIP answer being sent), when the writer was asked to.
    if (afterThisTurn) setImmediate(() => void this.loop());
    else queueMicrotask(() => void this.loop());
  }

  /** ms until deferrable writes alone may start a commit; 0 when the queue holds one that may not wait, or enough. */
  private deferral(): number {
    const ms = this.options.deferMs ?? 0;
    if (ms <= 0 || this.mustCommitNow()) return 0;
    const wait = this.lastCommitAt + ms - performance.now();
    return wait >= 1 ? wait : 0; // a timer fires to the ms: less is now
  }

  private mustCommitNow(): boolean {
    if (this.closed || this.idleWaiters.length > 0) return true;
    if (this.queue.length >= (this.options.deferRows ?? 1)) return true;
    for (const op of this.queue) if (op.deferrable !== true) return true;
    return false;
  }

  private clearDefer(): void {
    if (this.deferTimer !== undefined) {
      clearTimeout(this.deferTimer);
      this.deferTimer = undefined;
    }
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  private async loop(): Promise<void> {
    try {
      // Writes queued while a batch commits form the next batch at once; a failing disk stops the loop until the
      // retry timer (or a flush) starts it again.
      // The rest of a batch whose first run was committed alone follows it at once (commitRunsAlone).
      let rest = false;
      while (this.queue.length > 0 && this.retryTimer === undefined) {
        const wait = rest ? 0 : this.deferral();
        if (wait > 0) {
          // Only deferrable writes, and too few: the next commit starts when the interval is over (or sooner, if a
          // write that may not wait, enough writes, a flush or close come first: start()).
          this.deferTimer = setTimeout(() => {
            this.deferTimer = undefined;
            this.start();
          }, wait);
          break;
        }
        if (!rest) this.lastCommitAt = performance.now();
        const max = this.options.maxBatch;
        let batch = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
        const run =
          this.options.commitRunsAlone === true ? oneStatementRun(this.inserter, this.options.updater, batch) : 0;
        rest = run > 0 && run < batch.length;
        if (rest) batch = batch.slice(0, run);
        this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
        this.committing = batch.length;
        try {
          await this.commit(batch);
        } finally {
          this.committing = 0;
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async commit(batch: WriteOp<S>[]): Promise<void> {
    const error = await this.tryCommit(batch);
    if (error === undefined) return;
    if (isRetryable(error)) {
      this.retryLater(batch, error);
      return;
    }
    // SQLite refused something in this batch for itself: find it by writing each alone.
    for (let i = 0; i < batch.length; i++) {
      const op = batch[i];
      if (op === undefined) continue;
      const alone = batch.length === 1 ? error : await this.tryCommit([op]);
      if (alone === undefined) continue;
      if (isRetryable(alone)) {
        this.retryLater(batch.slice(i), alone);
        return;
      }
      this.options.logger.error(
        { err: alone, code: sqliteCode(alone) },
        'register write refused by SQLite: this write is lost',
      );
      this.lose(op, alone, 'refused');
    }
  }

  /** Commits the batch and settles its writes; returns the error instead when it failed (nothing settled). */
  private async tryCommit(batch: WriteOp<S>[]): Promise<Error | undefined> {
    const started = performance.now();
    let ids: Float64Array | undefined;
    let error: Error | undefined;
    try {
      ids = await commitBatch(this.tx, this.inserter, this.statements, batch, this.options.updater);
    } catch (err) {
      error = asError(err);
    }
    const durationMs = performance.now() - started;
    this.options.onBatch?.({ size: batch.length, durationMs, ok: error === undefined, ...(error && { error }) });
    if (ids === undefined) return error ?? new Error('batch failed');
    if (this.outage !== undefined) this.recovered();
    let written = 0;
    batch.forEach((op, i) => {
      if (this.held.has(op)) {
        written++;
        this.heldNow--;
      }
      if (op.kind === 'attempt') op.committed(ids[i] ?? 0);
      else op.committed();
    });
    if (written > 0) this.options.onSpool?.({ type: 'written', writes: written, heldNow: this.heldNow });
    return undefined;
  }

  /** The disk refused `batch`: it goes back to the head of the queue, everything queued is held, retry later. */
  private retryLater(batch: WriteOp<S>[], error: Error): void {
    this.queue = batch.concat(this.queue);
    const now = performance.now();
    const { retryMinMs, retryMaxMs } = this.options;
    if (this.outage === undefined) {
      this.outage = { since: now, error, retries: 0, delayMs: retryMinMs, lost: 0, lastReport: now };
      this.hold(this.queue);
      this.options.logger.error(
        { err: error, code: sqliteCode(error), held: this.heldNow, maxHeld: this.options.maxQueued },
        'register cannot write: writes are held in memory (spool) and retried until the disk accepts them',
      );
    } else {
      const o = this.outage;
      o.error = error;
      o.retries++;
      o.delayMs = Math.min(o.delayMs * 2, retryMaxMs);
      if (now - o.lastReport >= REPORT_EVERY_MS) {
        o.lastReport = now;
        this.options.logger.warn(
          {
            code: sqliteCode(error),
            forMs: Math.round(now - o.since),
            retries: o.retries,
            held: this.heldNow,
            lost: o.lost,
          },
          'register still cannot write',
        );
      }
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, this.outage.delayMs);
  }

  private recovered(): void {
    const o = this.outage;
    if (o === undefined) return;
    this.outage = undefined;
    this.options.logger.info(
      { afterMs: Math.round(performance.now() - o.since), retries: o.retries + 1, held: this.heldNow, lost: o.lost },
      'register writes again: the held writes are being written in order',
    );
  }

  private hold(ops: readonly WriteOp<S>[]): void {
    let added = 0;
    for (const op of ops) {
      if (this.held.has(op)) continue;
      this.held.add(op);
      added++;
      op.spooled?.();
    }
    this.heldNow += added;
    if (added > 0) this.options.onSpool?.({ type: 'held', writes: added, heldNow: this.heldNow });
  }

  private overflow(op: WriteOp<S>): void {
    const r = this.overflowReported;
    r.count++;
    const now = performance.now();
    if (r.count === 1 || now - r.at >= REPORT_EVERY_MS) {
      this.options.logger.error(
        { lost: r.count, waiting: this.queued, code: sqliteCode(this.outage?.error) },
        'register write queue full (store.spoolMaxWrites): new writes are lost until the disk catches up',
      );
      r.at = now;
      r.count = 0;
    }
    this.lose(op, new RegisterQueueFullError(this.options.maxQueued), 'overflow');
  }

  private lose(op: WriteOp<S>, err: Error, reason: LostReason): void {
    if (this.held.has(op)) this.heldNow--;
    if (this.outage !== undefined) this.outage.lost++;
    this.options.onSpool?.({ type: 'lost', writes: 1, reason, heldNow: this.heldNow });
    op.failed(err);
  }
}
