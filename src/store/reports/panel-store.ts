/**
 * The panel's own connection to the register file: reports (reads) and the settings table (rare writes).
 * Opened after `openRegister` (which migrates); WAL lets it read while the batch writer commits, and its few
 * writes wait for the writer's lock within the busy timeout.
 */
import { ensureAggregateTimeZone } from './aggregates.js';
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

export interface PanelStore {
  reports: Reports;
  settings: SettingsTable;
  close(): Promise<void>;
}

export async function openPanelStore(options: {
  file: string;
  timeZone: string;
  busyTimeoutMs?: number;
  logger?: StoreLogger;
}): Promise<PanelStore> {
  const db = await Connection.open(options.file);
  try {
    db.setBusyTimeout(options.busyTimeoutMs ?? 5000);
    await db.exec(PANEL_CACHE_PRAGMA);
    await ensureAggregateTimeZone(db, options.timeZone, options.logger ?? silentLogger);
    return { reports: new Reports(db), settings: new SettingsTable(db), close: () => db.close() };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
