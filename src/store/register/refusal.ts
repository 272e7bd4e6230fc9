/**
 * Whether the action crocetta took refused the caller: `reject`, `reject:486`, `announce-early`,
 * `announce-answer`, `hangup`. Such an attempt counts as a refusal at its own time for the repeat rule.
 */
export function isRefusalAction(action: string): boolean {
  return action.startsWith('reject') || action.startsWith('announce') || action.startsWith('hangup');
}
