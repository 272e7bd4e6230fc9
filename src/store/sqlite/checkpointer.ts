/**
 * WAL checkpoints mostly off the commit path. SQLite checkpoints inside the commit that takes the WAL past 1,000
 * pages: that commit copies the whole WAL into the database file and fsyncs both (10–50 ms here, every ~300
 * attempts), and every call waiting on it, or queued behind it, waits too: the register's p99. This connection of its
 * own copies the WAL as it grows instead, PASSIVE (it never waits for, nor blocks, the writer or the readers), on
 * node-sqlite3's thread pool beside the writer's commits: once `afterRows` rows were committed since the last time,
 * or every `everyMs` while any were. The writer keeps SQLite's own checkpoint: only it can restart the WAL from its
 * beginning (a checkpoint beside a steady stream of commits never sees the WAL fully copied), and when its turn
 * comes there is little left to copy (~2 ms, mostly the two fsyncs, instead of 10–50).
 *
 * Durability is unchanged: a commit is in the WAL (fsynced first with synchronous FULL) before it is acknowledged,
 * whoever copies it into the database file later. A checkpoint that fails (disk full, I/O error) is logged and tried
 * again with the next commits; the writer's own checkpoint still runs.
 */
import type { StoreLogger } from '../logger.js';
import { Connection, type Statement } from './connection.js';

/**
 * The checkpoint, prepared once: `Connection.get(sql)` prepared, ran and finalized it each time, two trips to
 * node-sqlite3's thread pool (the prepare, the step) and a statement made and freed on the main thread, ~20 times a
 * second at 2,000 calls/s (a checkpoint after every commit of 50 rows or more); prepared, it is one trip.
 */
const CHECKPOINT_SQL = 'PRAGMA wal_checkpoint(PASSIVE)';

export interface CheckpointerOptions {
  /** Checkpoint once this many rows were committed since the last checkpoint (≈3 WAL pages each). */
  afterRows: number;
  /** Checkpoint at least this often while rows were committed (ms). */
  everyMs: number;
  logger: StoreLogger;
}

export class Checkpointer {
  private rows = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private failing = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly db: Connection,
    private readonly checkpoint: Statement,
    private readonly options: CheckpointerOptions,
  ) {
    this.timer = setInterval(() => {
      if (this.rows > 0) this.run();
    }, options.everyMs);
    this.timer.unref();
  }

  static async open(file: string, options: CheckpointerOptions): Promise<Checkpointer> {
    const db = await Connection.open(file);
    try {
      return new Checkpointer(db, await db.prepare(CHECKPOINT_SQL), options);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  /** The writer committed `rows` rows (attempts, updates, marks). */
  committed(rows: number): void {
    this.rows += rows;
    if (this.rows >= this.options.afterRows) this.run();
  }

  /** Ends the timer and the connection, after a checkpoint in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    await this.checkpoint.finalize();
    await this.db.close();
  }

  private run(): void {
    if (this.running !== null || this.closed) return;
    this.rows = 0;
    this.running = this.checkpoint
      .all([])
      .then(
        () => {
          if (this.failing) this.options.logger.info({}, 'WAL checkpoints work again');
          this.failing = false;
        },
        (err: unknown) => {
          if (!this.failing) this.options.logger.warn({ err }, 'WAL checkpoint failed; it is tried again later');
          this.failing = true;
        },
      )
      .finally(() => {
        this.running = null;
      });
  }
}
