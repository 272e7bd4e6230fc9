/**
 * What the register learns from each attempt it records, beside times and refusals: the DID called (sweeps),
 * a learned block member when crocetta stopped the caller on its own evidence, and the use of a
 * "let the next call through" override, and what the attempt teaches the prefix tree (prefix-index.ts). Returns the
 * time of the override the attempt used (the register deletes its row), null when it used none.
 */
import { learnsBlockMember } from '../../screening/blocks.js';
import type { EvidenceIndex } from './evidence-index.js';
import { isRefusalAction } from '../register/refusal.js';
import type { NewAttempt } from '../register/types.js';

export function noteLearned(
  index: EvidenceIndex,
  key: string,
  attempt: Pick<NewAttempt, 'time' | 'calledNumber' | 'verdict' | 'score' | 'reasons' | 'action'>,
  thresholds: { suspect: number },
): number | null {
  index.learned.addCall(key, attempt.time, attempt.calledNumber);
  let used: number | null = null;
  for (const r of attempt.reasons) {
    if (r.code === 'allow-next') {
      used = index.learned.allowNextOf(key);
      index.learned.consumeAllowNext(key);
      break;
    }
  }
  if (learnsBlockMember(attempt, thresholds)) index.learned.addLearnedMember(key, attempt.time);
  index.prefixes?.attempt(key, attempt, isRefusalAction(attempt.action));
  return used;
}
