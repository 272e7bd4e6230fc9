/**
 * What the register learns from each attempt it records, beside times and refusals: the DID called (sweeps),
 * a learned block member when crocetta stopped the caller on its own evidence, and the use of a
 * "let the next call through" override, and what the attempt teaches the prefix tree (prefix-index.ts).
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
): void {
  index.learned.addCall(key, attempt.time, attempt.calledNumber);
  for (const r of attempt.reasons) {
    if (r.code === 'allow-next') {
      index.learned.consumeAllowNext(key);
      break;
    }
  }
  if (learnsBlockMember(attempt, thresholds)) index.learned.addLearnedMember(key, attempt.time);
  index.prefixes?.attempt(key, attempt, isRefusalAction(attempt.action));
}
