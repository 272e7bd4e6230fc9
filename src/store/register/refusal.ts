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
 * Whether a refused attempt counts as a refusal of its caller for the repeat rule: not when it rested on the
 * withholding alone (a `withheld-refusal` reason): the office's choice about hidden numbers is no verdict on the
 * number, whose calls with it shown are then no "attempt after a refusal" (session 49). It stays a refusal in the
 * register (refused_at), the rankings and the dossier.
 */
export function countsForRepeat(reasons: readonly { code: string }[]): boolean {
  for (const r of reasons) if (r.code === WITHHELD_REFUSAL) return false;
  return true;
}
