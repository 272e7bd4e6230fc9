import type { CallerIdentity } from '../callerid/types.js';
import { policyLines } from '../config/derive-policy.js';
import { pickAction } from '../policy/rules.js';
import type { OpenState } from '../screening/business-hours.js';
import type { CallerEvidence } from '../screening/types.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { LineNow } from './pages/policies.js';

/**
 * What each of our numbers the policies name (and any other number) would do with this caller now: its verdict
 * there and the action, with the rule that picks it. Null when there are no policies.
 */
export function linesNow(
  live: LiveSettings,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  defaultCountry: string,
): { open: OpenState | null; lines: LineNow[] } | null {
  const policies = live.current.policies;
  if (policies.length === 0) return null;
  const policy = live.policy;
  const line = (did: string | null, key: string | null, name: string): LineNow => {
    const decision = live.classify(identity, evidence, now, { did: key });
    return {
      did,
      name,
      verdict: decision.verdict,
      choice: pickAction(decision, identity, policy, { did: key, time: now }),
    };
  };
  return {
    open: policy.rules?.openAt(now) ?? null,
    lines: [...policyLines(policies, defaultCountry).map((l) => line(l.text, l.key, l.name)), line(null, null, '')],
  };
}
