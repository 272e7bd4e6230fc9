/**
 * Whether an attempt reached no PBX (the dashboard's undelivered), as SQL on the columns named: let through (not
 * stopped: never refused by crocetta's own action, reject…, hangup…, announce…) and the plan found no PBX (NO_PBX_ACTION)
 * or could not read the number called (UNROUTABLE_ACTION), or the caller did not pass the human check (no-digit,
 * wrong-digit, hung-up), or the PBX did not answer or said it was unavailable (408, 503), or crocetta found no PBX at
 * the forward (failed 480) or the proxy failed (failed, no status). 0 or 1 (NULL only for a NULL action or outcome,
 * which the register never writes). The rule of migration 14's unreached14, kept here for the rebuild (aggregates.ts
 * UNREACHED) and the register's outcome UPDATE (rows.ts), which must count as the triggers do.
 */
import { NO_PBX_ACTION, UNROUTABLE_ACTION } from './types.js';

/** SQL expressions of an attempt's action, check result, outcome and final status (a column or any expression). */
export interface UnreachedOf {
  action: string;
  check: string;
  outcome: string;
  status: string;
}

/** Whether the attempt's action stopped the call itself (reject…, hangup…, announce…), as SQL on the column named. */
export function stoppedSql(action: string): string {
  return `(substr(${action}, 1, 6) IN ('reject', 'hangup') OR substr(${action}, 1, 8) = 'announce')`;
}

export function unreachedSql(c: UnreachedOf): string {
  return `(NOT ${stoppedSql(c.action)} AND (
    ${c.action} IN ('${NO_PBX_ACTION}', '${UNROUTABLE_ACTION}')
    OR COALESCE(${c.check}, '') IN ('no-digit', 'wrong-digit', 'hung-up')
    OR (${c.outcome} IN ('timeout', 'declined', 'failed') AND COALESCE(${c.status}, 0) IN (408, 503))
    OR (${c.outcome} = 'failed' AND COALESCE(${c.status}, 480) = 480)))`;
}
