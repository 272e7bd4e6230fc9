/** Key → JSON value rows of the `settings` table (migration 2): runtime settings and the panel's secrets. */
import type { Connection } from '../sqlite/connection.js';

export class SettingsTable {
  constructor(private readonly db: Connection) {}

  /** The parsed JSON value, or undefined when the key was never set (or holds unreadable JSON). */
  async get(key: string): Promise<unknown> {
    const row = await this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, now = Date.now()): Promise<void> {
    await this.db.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), now],
    );
  }

  async delete(key: string): Promise<void> {
    await this.db.run('DELETE FROM settings WHERE key = ?', [key]);
  }
}
