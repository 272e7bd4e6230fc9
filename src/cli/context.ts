/** What every command needs: the configuration (file + environment, as the service reads it) and the register file. */
import { ConfigError, loadConfig } from '../config/index.js';
import type { Config } from '../config/schema.js';
import type { StoreLogger } from '../store/logger.js';
import { MIGRATIONS, migrate } from '../store/sqlite/migrations.js';
import { Connection } from '../store/sqlite/connection.js';
import { CliError, EXIT, fieldsText } from './output.js';

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

/**
 * What a migration says (migration 11: the rows whose category it brought to its key) as the CLI says a notice, on
 * stderr so that standard output stays the command's: `crocetta: <line> (key=value …)`, or with --json one JSON
 * line, `{"notice": <line>, …}`, as an error is.
 */
export function cliNotices(json: boolean, stream: { write(text: string): unknown } = process.stderr): StoreLogger {
  const line = (obj: object, msg: string) => {
    if (json) stream.write(`${JSON.stringify({ notice: msg, ...obj })}\n`);
    else {
      const fields = fieldsText(obj);
      stream.write(`crocetta: ${msg}${fields ? ` (${fields})` : ''}\n`);
    }
  };
  return { info: line, warn: line, error: line };
}

/**
 * Brings the register file to the current schema (as the service does at start) without loading its index. Every
 * command that opens the register calls it first, so a migration's line reaches the user (cliNotices) rather than
 * happening silently inside openRegister.
 */
export async function ensureSchema(file: string, json: boolean): Promise<void> {
  const db = await Connection.open(file);
  try {
    db.setBusyTimeout(5000);
    await db.get('PRAGMA journal_mode = WAL');
    await migrate(db, file, MIGRATIONS, cliNotices(json));
  } finally {
    await db.close();
  }
}
