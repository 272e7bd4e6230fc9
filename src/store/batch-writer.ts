/**
 * Group commit: every write waits at most `windowMs` (or less, when `maxBatch` writes are queued), then the
 * whole batch is committed in one `BEGIN IMMEDIATE … COMMIT` on the writer connection. Each write learns whether
 * its batch committed (`committed`) or not (`failed`, with the batch's error).
 *
 * A failed batch (disk full, SQLITE_BUSY past the busy timeout, a closed connection...) is rolled back, its
 * writes are failed, the error is logged, and the next batch tries again: the service keeps running.
 */
import type { StoreLogger } from './logger.js';
import { sqliteCode, type Connection } from './sqlite.js';

export interface WriteOp<S> {
  /** Runs this write's statements inside the open transaction. */
  run(statements: S): Promise<void>;
  committed(): void;
  failed(err: Error): void;
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
  private draining: Promise<void> | undefined;
  private closed = false;
  private lastBatchOk = true;

  constructor(
    private readonly db: Connection,
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
    if (this.draining !== undefined) return; // the running loop takes it after the current batch
    if (this.queue.length >= this.options.maxBatch) {
      this.clearTimer();
      void this.drain();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.options.windowMs);
    }
  }

  /** Resolves once everything queued before the call was committed or failed (failures go to each write). */
  flush(): Promise<void> {
    this.clearTimer();
    if (this.queue.length === 0 && this.draining === undefined) return Promise.resolve();
    return this.drain();
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

  private drain(): Promise<void> {
    this.draining ??= this.loop().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async loop(): Promise<void> {
    // Writes queued while a batch commits form the next batch at once: they have waited long enough.
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.options.maxBatch ? this.queue : this.queue.slice(0, this.options.maxBatch);
      this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
      await this.commit(batch);
    }
  }

  private async commit(batch: WriteOp<S>[]): Promise<void> {
    const started = performance.now();
    let error: Error | undefined;
    try {
      await this.db.run('BEGIN IMMEDIATE');
      try {
        for (const op of batch) await op.run(this.statements);
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
      for (const op of batch) op.committed();
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
}
