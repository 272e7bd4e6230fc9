/**
 * The panel's own connection to the register file: reports (reads) and the settings table (rare writes).
 * Opened after `openRegister` (which migrates); WAL lets it read while the batch writer commits, and its few
 * writes wait for the writer's lock within the busy timeout.
 *
 * When the aggregates must be rebuilt (aggregates.ts: first start after migration 10, a changed `timeZone`, or a
 * rebuild a previous run did not finish), `rebuild: 'background'` (the service) rebuilds them on a connection of its
 * own while everything else runs: `aggregates()` says how far it is, and the panel says the figures are being
 * rebuilt. `'wait'` (the default: tests, benches) rebuilds before it resolves. `'never'` (the command line's commands,
 * which show no aggregates) leaves them as they are: a rebuild is the service's, or `crocetta rebuild-aggregates`'.
 */
import { ATTEMPT_IDS_SQL, AggregatesRebuild, aggregatesNeedRebuild, ensureAggregateTimeZone } from './aggregates.js';
import type { AggregatesStatus, RebuildOptions } from './aggregates.js';
import type { StoreLogger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { Reports } from './reports.js';
import { SettingsTable } from '../register/settings-table.js';
import { Connection } from '../sqlite/connection.js';

/**
 * A 64 MiB page cache (SQLite's default is 2 MiB): a ranking over a long period reads the days of a few thousand
 * callers, and with the default cache most of those pages would be read from the file again on every query.
 */
export const PANEL_CACHE_PRAGMA = 'PRAGMA cache_size = -65536';

/** The rebuild's connection: 256 MiB of cache while it adds days all over caller_daily (freed when it ends). */
const REBUILD_CACHE_PRAGMA = 'PRAGMA cache_size = -262144';

/**
 * A register this small is rebuilt before the start goes on, even in the background mode (a few ms): a new install
 * (whose first start counts in the configured zone) or a small office gets complete figures at once, and its first
 * calls' commits do not wait behind the rebuild's transactions.
 */
const SMALL_REGISTER = 10_000;

async function attemptsAtMost(db: Connection, n: number): Promise<boolean> {
  const row = await db.get<{ first: number | null; last: number | null }>(ATTEMPT_IDS_SQL);
  return row?.first == null || row.last == null || row.last - row.first + 1 <= n;
}

/** After a failed rebuild (an SQLite error), the next try. */
const RETRY_MS = 30_000;

export interface PanelStore {
  reports: Reports;
  settings: SettingsTable;
  /** Whether the dashboard's and the rankings' figures are complete, or being rebuilt (how far). */
  aggregates(): AggregatesStatus;
  /** Resolves when the background rebuild has ended (at once when there was none, or after close()). */
  rebuilt: Promise<void>;
  close(): Promise<void>;
}

export async function openPanelStore(options: {
  file: string;
  timeZone: string;
  busyTimeoutMs?: number;
  logger?: StoreLogger;
  /** @defaultValue 'wait' */
  rebuild?: 'wait' | 'background' | 'never';
  rebuildOptions?: RebuildOptions;
}): Promise<PanelStore> {
  const logger = options.logger ?? silentLogger;
  const db = await Connection.open(options.file);
  try {
    db.setBusyTimeout(options.busyTimeoutMs ?? 5000);
    await db.exec(PANEL_CACHE_PRAGMA);
    const settings = new SettingsTable(db);
    if (options.rebuild === 'never') {
      const status: AggregatesStatus = (await aggregatesNeedRebuild(db, options.timeZone))
        ? { state: 'rebuilding', done: 0, total: 0 }
        : { state: 'ready' };
      return {
        reports: new Reports(db, () => status),
        settings,
        aggregates: () => status,
        rebuilt: Promise.resolve(),
        close: () => db.close(),
      };
    }
    if (
      options.rebuild !== 'background' ||
      !(await aggregatesNeedRebuild(db, options.timeZone)) ||
      (await attemptsAtMost(db, SMALL_REGISTER))
    ) {
      await ensureAggregateTimeZone(db, options.timeZone, logger, options.rebuildOptions);
      const ready = (): AggregatesStatus => ({ state: 'ready' });
      return {
        reports: new Reports(db, ready),
        settings,
        aggregates: ready,
        rebuilt: Promise.resolve(),
        close: () => db.close(),
      };
    }
    const background = backgroundRebuild(options.file, options.timeZone, logger, options.rebuildOptions ?? {});
    const aggregates = (): AggregatesStatus => background.status();
    return {
      reports: new Reports(db, aggregates),
      settings,
      aggregates,
      rebuilt: background.ended,
      close: async () => {
        await background.stop();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** The rebuild's own connection (the service's background rebuild, `crocetta rebuild-aggregates`). */
export async function openRebuildConnection(file: string): Promise<Connection> {
  const db = await Connection.open(file);
  try {
    // Long: the attempt writer's commits come first, and nobody waits for this one.
    db.setBusyTimeout(60_000);
    await db.exec(REBUILD_CACHE_PRAGMA);
    // No fsync of the WAL inside each transaction, as the attempt writer's NORMAL: the write lock is released sooner.
    // A power cut may lose the last chunks committed, with the mark that counted them (same transaction): the next
    // start counts them again from the mark that survived.
    await db.exec('PRAGMA synchronous = NORMAL');
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** Rebuilds on a connection of its own, trying again after an error, until done or stopped. */
function backgroundRebuild(
  file: string,
  timeZone: string,
  logger: StoreLogger,
  options: RebuildOptions,
): { status(): AggregatesStatus; stop(): Promise<void>; ended: Promise<void> } {
  let current: AggregatesRebuild | null = null;
  let last: AggregatesStatus = { state: 'rebuilding', done: 0, total: 0 };
  let stopped = false;
  let wake = (): void => undefined;
  const ended = (async () => {
    while (!stopped) {
      let db: Connection | null = null;
      try {
        db = await openRebuildConnection(file);
        current = new AggregatesRebuild(db, timeZone, logger, options);
        if (stopped) break;
        const finished = await current.run();
        last = current.status();
        if (finished) return;
      } catch (err) {
        if (current) last = current.status();
        logger.error({ err }, 'register aggregates: rebuild failed; trying again in 30 s (calls are not affected)');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      } finally {
        current = null;
        await db?.close().catch(() => undefined);
      }
    }
  })();
  return {
    status: () => current?.status() ?? last,
    stop: async () => {
      stopped = true;
      current?.stop();
      wake();
      await ended;
    },
    ended,
  };
}
