/**
 * Whether an attempt reached no PBX (the dashboard's undelivered), as SQL on the columns named: let through (not
 * stopped: never refused by crocetta's own action, reject…, hangup…, announce…) and the plan found no PBX (NO_PBX_ACTION)
 * or could not read the number called (UNROUTABLE_ACTION), or the caller did not pass the human check (no-digit,
 * wrong-digit, hung-up), or the PBX did not answer or said it was unavailable (408, 503), or crocetta found no PBX at
 * the forward (failed 480) or the proxy failed (failed, no status). Not a forward that rang out: drachtio-server's own
 * 408 (`timeout` 408) RANG_OUT_MS or more after the attempt came after its Timer C, so the PBX had answered
 * provisionally (it rang, nobody answered: the office's unanswered call, passed). 0 or 1 (NULL only for a NULL action
 * or outcome, which the register never writes). The rule of migration 16's unreached16 (migration 14's unreached14
 * before), kept here for the rebuild (aggregates.ts UNREACHED) and the register's outcome UPDATE (rows.ts), which must
 * count as the triggers do.
 */
import { NO_PBX_ACTION, UNROUTABLE_ACTION } from './types.js';

/** SQL expressions of an attempt's action, check result, outcome and final status (a column or any expression). */
export interface UnreachedOf {
  action: string;
  check: string;
  outcome: string;
  status: string;
  /** When the attempt came, and when its outcome was known (ms; NULL: none known). */
  time: string;
  outcomeAt: string;
}

/**
 * drachtio-server ends a proxied INVITE the PBX gives no final answer to with a 408 of its own, and tells the app only
 * that the proxy is done (no provisional response is ever reported to the app): after its Timer B, 32 s after the
 * forward, when the PBX never answered at all, or its Timer C, 185 s after the forward or the PBX's last provisional
 * (src/sip-proxy-controller.cpp in v0.9.10: Timer B, NTA_SIP_T1 × 64, is removed on any 1xx; both are compile-time
 * constants). Such an outcome known this long after the attempt came is Timer C's: the PBX had answered 1xx (rung).
 * Far from both timers: a human check before the forward, a slow start, a clock's step do not blur them.
 */
export const RANG_OUT_MS = 120_000;

/** Whether the attempt's action stopped the call itself (reject…, hangup…, announce…), as SQL on the column named. */
export function stoppedSql(action: string): string {
  return `(substr(${action}, 1, 6) IN ('reject', 'hangup') OR substr(${action}, 1, 8) = 'announce')`;
}

export function unreachedSql(c: UnreachedOf): string {
  return `(NOT ${stoppedSql(c.action)} AND (
    ${c.action} IN ('${NO_PBX_ACTION}', '${UNROUTABLE_ACTION}')
    OR COALESCE(${c.check}, '') IN ('no-digit', 'wrong-digit', 'hung-up')
    OR (${c.outcome} IN ('timeout', 'declined', 'failed') AND COALESCE(${c.status}, 0) IN (408, 503)
        AND NOT (${c.outcome} = 'timeout' AND ${c.status} = 408 AND COALESCE(${c.outcomeAt} - ${c.time}, 0) >= ${RANG_OUT_MS}))
    OR (${c.outcome} = 'failed' AND COALESCE(${c.status}, 480) = 480)))`;
}
