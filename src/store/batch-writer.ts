/**
 * Group commit: every write waits at most `windowMs` (or less, when `maxBatch` writes are queued), then the
 * whole batch is committed in one `BEGIN IMMEDIATE … COMMIT` on the writer connection. Each write learns whether
 * its batch committed (`committed`) or not (`failed`, with the batch's error).
 *
 * A failed batch (disk full, SQLITE_BUSY past the busy timeout, a closed connection...) is rolled back, its
 * writes are failed, the error is logged, and the next batch tries again: the service keeps running.
 */
import type { StoreLogger } from './logger.js';
import { sqliteCode, type Connection, type SqlValue, type Statement } from './sqlite.js';

/** One attempt row to insert; consecutive ones are inserted many rows per statement. */
export interface AttemptWrite {
  kind: 'attempt';
  params: readonly SqlValue[];
  committed(id: number): void;
  failed(err: Error): void;
}

/** Any other write (outcome update, mark): its own statements. */
export interface OtherWrite<S> {
  kind: 'other';
  /** Runs this write's statements inside the open transaction. */
  run(statements: S): Promise<void>;
  committed(): void;
  failed(err: Error): void;
}

export type WriteOp<S> = AttemptWrite | OtherWrite<S>;

/**
 * The attempts INSERT, prepared twice: for one row, and for `rows` rows at once (node-sqlite3 pays a trip to its
 * thread pool per statement run, so a multi-row INSERT is what reaches tens of thousands of rows per second).
 */
export interface AttemptInserter {
  one: Statement;
  many: Statement;
  rows: number;
}

export interface BatchInfo {
  size: number;
  durationMs: number;
  ok: boolean;
  error?: Error;
}

export interface BatchWriterOptions {
  windowMs: number;
  maxBatch: number;
  logger: StoreLogger;
  onBatch?: (info: BatchInfo) => void;
}

export class RegisterClosedError extends Error {
  constructor() {
    super('the register is closed');
    this.name = 'RegisterClosedError';
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export class BatchWriter<S> {
  private queue: WriteOp<S>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** True while the commit loop runs; it is reset in the same synchronous step as its last look at the queue. */
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private lastBatchOk = true;

  constructor(
    private readonly db: Connection,
    private readonly inserter: AttemptInserter,
    private readonly statements: S,
    private readonly options: BatchWriterOptions,
  ) {}

  /** False after a batch failed, until one commits again. */
  get healthy(): boolean {
    return this.lastBatchOk;
  }

  get queued(): number {
    return this.queue.length;
  }

  enqueue(op: WriteOp<S>): void {
    if (this.closed) {
      op.failed(new RegisterClosedError());
      return;
    }
    this.queue.push(op);
    if (this.running) return; // the loop takes it after the current batch
    if (this.queue.length >= this.options.maxBatch) {
      this.clearTimer();
      this.start();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, this.options.windowMs);
    }
  }

  /** Resolves once everything queued before the call was committed or failed (failures go to each write). */
  flush(): Promise<void> {
    this.clearTimer();
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.start();
    });
  }

  /** Refuses new writes, commits what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      // Writes queued while a batch commits form the next batch at once: they have waited long enough.
      while (this.queue.length > 0) {
        const max = this.options.maxBatch;
        const batch = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
        this.queue = batch === this.queue ? [] : this.queue.slice(max);
        await this.commit(batch);
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async commit(batch: WriteOp<S>[]): Promise<void> {
    const started = performance.now();
    let error: Error | undefined;
    const ids = new Float64Array(batch.length);
    try {
      await this.db.run('BEGIN IMMEDIATE');
      try {
        for (let i = 0; i < batch.length; ) {
          const op = batch[i];
          if (op?.kind === 'other') {
            await op.run(this.statements);
            i++;
            continue;
          }
          let end = i;
          while (end < batch.length && batch[end]?.kind === 'attempt') end++;
          await this.insertAttempts(batch as AttemptWrite[], i, end, ids);
          i = end;
        }
        await this.db.run('COMMIT');
      } catch (err) {
        await this.db.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      error = asError(err);
    }
    const durationMs = performance.now() - started;
    if (error === undefined) {
      if (!this.lastBatchOk) this.options.logger.info({ size: batch.length }, 'register writes recovered');
      this.lastBatchOk = true;
      batch.forEach((op, i) => {
        if (op.kind === 'attempt') op.committed(ids[i] ?? 0);
        else op.committed();
      });
    } else {
      this.lastBatchOk = false;
      this.options.logger.error(
        { err: error, code: sqliteCode(error), size: batch.length, durationMs },
        'register batch failed; its writes are lost, the next batch will retry',
      );
      for (const op of batch) op.failed(error);
    }
    this.options.onBatch?.({ size: batch.length, durationMs, ok: error === undefined, ...(error && { error }) });
  }

  /**
   * Inserts batch[from, to) (all attempts), `inserter.rows` at a time. The ids of a multi-row INSERT are
   * lastID-rows+1 … lastID: with INTEGER PRIMARY KEY each new rowid is max(rowid)+1, and no other writer can
   * interleave inside our BEGIN IMMEDIATE.
   */
  private async insertAttempts(batch: readonly AttemptWrite[], from: number, to: number, ids: Float64Array): Promise<void> {
    const { one, many, rows } = this.inserter;
    let i = from;
    for (; to - i >= rows; i += rows) {
      const width = batch[i]?.params.length ?? 0;
      const params = new Array<SqlValue>(rows * width);
      for (let k = 0; k < rows; k++) {
        const row = batch[i + k]?.params ?? [];
        for (let c = 0; c < width; c++) params[k * width + c] = row[c] ?? null;
      }
      const result = await many.run(params);
      if (result.changes !== rows) throw new Error(`multi-row insert wrote ${result.changes} rows, not ${rows}`);
      for (let k = 0; k < rows; k++) ids[i + k] = result.lastID - rows + 1 + k;
    }
    for (; i < to; i++) ids[i] = (await one.run(batch[i]?.params ?? [])).lastID;
  }
}
