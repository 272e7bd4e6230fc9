/**
 * Attempts a previous run of crocetta left `forwarded` (it stopped, or was killed, while the PBX still rang): the
 * proxy's outcome went to that run's drachtio connection and will never reach this one, so they are ended as
 * `timeout` at start, as the reaper would have ended them. Only the look-back window is read (the `attempts(time)`
 * index), so a start on a large register stays quick.
 */
import { Connection } from '../sqlite/connection.js';

export async function endStaleForwards(
  file: string,
  opts: { now: number; since: number; busyTimeoutMs?: number },
): Promise<number> {
  const db = await Connection.open(file);
  try {
    db.setBusyTimeout(opts.busyTimeoutMs ?? 5000);
    // Through the view attempt_outcomes (migration 15), which moves the dashboard's count if the update changes whether
    // the call reached anybody (rows.ts); a view's UPDATE reports no changes: it returns the ids.
    const ended = await db.all(
      `UPDATE attempt_outcomes SET outcome = 'timeout', outcome_at = ?1
        WHERE time >= ?2 AND time <= ?1 AND outcome = 'forwarded' RETURNING id`,
      [opts.now, opts.since],
    );
    return ended.length;
  } finally {
    await db.close();
  }
}
