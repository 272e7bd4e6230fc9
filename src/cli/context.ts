/** What every command needs: the configuration (file + environment, as the service reads it) and the register file. */
import { ConfigError, loadConfig } from '../config/index.js';
import type { Config } from '../config/schema.js';
import { migrate } from '../store/sqlite/migrations.js';
import { Connection } from '../store/sqlite/connection.js';
import { CliError, EXIT } from './output.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

export function cliConfig(opts: GlobalOptions): Config {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.config);
    throw err;
  }
  if (opts.db) config.store.file = opts.db;
  return config;
}

/** Brings the register file to the current schema (as the service does at start) without loading its index. */
export async function ensureSchema(file: string): Promise<void> {
  const db = await Connection.open(file);
  try {
    db.setBusyTimeout(5000);
    await db.get('PRAGMA journal_mode = WAL');
    await migrate(db, file);
  } finally {
    await db.close();
  }
}
