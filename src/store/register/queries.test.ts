/** listAttempts' plans: the register's SMS view reads the messages' own index, not the time index through the calls. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Connection } from '../sqlite/connection.js';
import { migrate } from '../sqlite/migrations.js';
import { tempDir, type TempDir } from '../test-tmp.js';
import { listAttemptsSql } from './queries.js';
import type { AttemptQuery } from './types.js';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe("the register's listing", () => {
  it('walks the messages alone for the SMS view, the time index for the calls and for all', async () => {
    const file = dir.file('plan.sqlite');
    const db = await Connection.open(file);
    await migrate(db, file);
    const plan = async (q: AttemptQuery) => {
      const { sql, params } = listAttemptsSql(q);
      return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join(' | ');
    };
    expect(await plan({ kind: 'message', limit: 50 })).toMatch(/^SCAN attempts USING INDEX attempts_message_time$/);
    // A page further on, a search: the same index, the rest a filter on its rows.
    expect(
      await plan({ kind: 'message', limit: 50, text: '333', before: { time: 1_764_000_000_000, id: 99 } }),
    ).toMatch(/attempts USING INDEX attempts_message_time/);
    expect(await plan({ kind: 'call', limit: 50 })).toMatch(/^SCAN attempts USING INDEX attempts_time$/);
    expect(await plan({ limit: 50 })).toMatch(/^SCAN attempts USING INDEX attempts_time$/);
    await db.close();
  });
});
