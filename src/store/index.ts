/**
 * The store: the SQLite register of attempts and marks, and the in-memory evidence index the classifier reads.
 * `openRegister` is the way in; the rest is exported for tests, benchmarks and the CLI.
 */
export { openRegister, type OpenRegisterOptions, type OpenedRegister } from './register/register.js';
export { isRefusalAction } from './register/refusal.js';
export { PrefixIndex, prefixIndexOptions, type PrefixIndexOptions } from './memory/prefix-index.js';
export { EvidenceIndex, MAX_TIMES_PER_CALLER } from './memory/evidence-index.js';
export { MarkTable, e164KeyToNumber, type MarkEntry } from './memory/mark-table.js';
export { MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError, migrate } from './sqlite/migrations.js';
export {
  RegisterClosedError,
  RegisterQueueFullError,
  type BatchInfo,
  type LostReason,
  type SpoolEvent,
} from './sqlite/batch-writer.js';
export { RegisterUnavailableError } from './register/register.js';
export type { IndexLoadStats } from './memory/load-index.js';
export type { StoreLogger } from './logger.js';
export type * from './register/types.js';
export { openPanelStore, type PanelStore } from './reports/panel-store.js';
export {
  Reports,
  type CompanyRank,
  type DayRange,
  type DayTotals,
  type NumberRank,
  type Totals,
} from './reports/reports.js';
export { SettingsTable } from './register/settings-table.js';
export { DAY_MS, dayFromIso, dayIso, dayStart, localDay, weekStart } from './reports/local-days.js';
