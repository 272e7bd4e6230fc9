import type { CallerIdentity } from '../callerid/types.js';
import { policyLines } from '../config/derive-policy.js';
import { pickAction } from '../policy/rules.js';
import type { OpenState } from '../screening/business-hours.js';
import { applyCheckMemory, type CheckMemory } from '../screening/check-memory.js';
import { contextOfCaller } from '../screening/classify.js';
import type { CallerEvidence } from '../screening/types.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { LineNow } from './pages/policies.js';

/**
 * What each of our numbers the policies name (and any other number) would do with this caller now: its verdict
 * there and the action, with the rule that picks it, after the memory of passed checks as the call path applies it
 * (a remembered passer is tagged, not checked; one marked nuisance since gets the NO), saying so in `note`.
 * Null when there are no policies.
 */
export function linesNow(
  live: LiveSettings,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  defaultCountry: string,
  check?: { memory: CheckMemory | undefined; callerKey: string | null },
  textsOnly = false,
): { open: OpenState | null; lines: LineNow[] } | null {
  const policies = live.current.policies;
  if (policies.length === 0) return null;
  const policy = live.policy;
  // A sender ID that only texted: its next one is a text (contextOfCaller).
  const message = contextOfCaller(identity, textsOnly) !== undefined;
  const line = (did: string | null, key: string | null, name: string): LineNow => {
    const decision = live.classify(identity, evidence, now, { did: key, message });
    const choice = pickAction(decision, identity, policy, { did: key, time: now, message });
    const gated = applyCheckMemory(choice.action, decision, check?.callerKey ?? null, now, check?.memory);
    const note = gated.decision === decision ? null : (gated.decision.reasons.at(-1) ?? null);
    return { did, name, verdict: decision.verdict, choice: { ...choice, action: gated.action }, note };
  };
  return {
    open: policy.rules?.openAt(now) ?? null,
    lines: [...policyLines(policies, defaultCountry).map((l) => line(l.text, l.key, l.name)), line(null, null, '')],
  };
}
