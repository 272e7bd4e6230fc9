/**
 * Whether the action crocetta took refused the caller: `reject`, `reject:486`, `announce-early`,
 * `announce-answer`, `hangup`. Such an attempt counts as a refusal at its own time for the repeat rule.
 */
export function isRefusalAction(action: string): boolean {
  return action.startsWith('reject') || action.startsWith('announce') || action.startsWith('hangup');
}

/** The reason a refusal for the withholding alone carries (policy/rules.ts withheldRefusalReason). */
export const WITHHELD_REFUSAL = 'withheld-refusal';

/**
 * Whether an attempt crocetta refused counts as a refusal of its caller for the repeat rule: not when it rested on the
 * withholding alone (a `withheld-refusal` reason): the office's choice about hidden numbers is no verdict on the
 * number, whose calls with it shown are then no "attempt after a refusal" (session 49). It stays a refusal in the
 * register (refused_at) and the rankings; the dossier tells it apart (session 50).
 */
export function countsForRepeat(reasons: readonly { code: string }[]): boolean {
  for (const r of reasons) if (r.code === WITHHELD_REFUSAL) return false;
  return true;
}

/**
 * Whether the PBX's decline of an attempt (`pbx.refusalCodes`: the receptionist pressing "reject") counts as a
 * refusal of its caller for the repeat rule: not when the call came withheld (session 50). The PBX was handed the
 * call as it came, its Privacy with it, so the receptionist declined a call that showed no number: the office's
 * choice about anonymous calls, as a `withheld-refusal` is, and no verdict on the number, whose calls with it shown
 * are then no "attempt after a refusal". It stays a refusal in the register (refused_at) and the rankings; the
 * dossier tells it apart (dossier/load.ts).
 */
export function declineCounts(withheld: boolean): boolean {
  return !withheld;
}

/**
 * Whether a refused attempt of the register is a refusal of its caller (the repeat rule's at load-index.ts, the
 * dossier's 60 days' wait): crocetta's own refusal by its reasons (countsForRepeat), the PBX's decline by the
 * withholding (declineCounts). `reasons`: its reasons' JSON, parsed only when it names a withheld refusal.
 */
export function refusalOfNumber(row: { action: string; withheld: boolean; reasons: string | null }): boolean {
  if (!isRefusalAction(row.action)) return declineCounts(row.withheld);
  return row.reasons === null || !row.reasons.includes(WITHHELD_REFUSAL) || countsForRepeat(reasonCodes(row.reasons));
}

/** The reasons of a stored reasons array that have a code; [] when it is not one. */
function reasonCodes(json: string): { code: string }[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed)
      ? ((parsed as { code?: unknown }[]).filter((r) => typeof r?.code === 'string') as { code: string }[])
      : [];
  } catch {
    return [];
  }
}
