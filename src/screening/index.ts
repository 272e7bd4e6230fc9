/**
 * Classification: who is calling, judged from the business's marks, its prefix rules, the regulators' numbering
 * ranges and the caller's behaviour after a refusal. Pure code: no IO, no clock of its own.
 */
export * from './types.js';
export * from './rules.js';
export { classify, contextOfCaller, createClassifier, type Classifier, type ClassifyInput } from './classify.js';
export { compileRules, type CompiledRules } from './compile.js';
export { WEIGHTS } from './weights.js';
export {
  chooseAction,
  parseAction,
  formatAction,
  DEFAULT_ACTION_POLICY,
  DEFAULT_REJECT_STATUS,
  type Action,
  type ActionPolicy,
} from './policy.js';
export { IT_PACK } from './packs/it.js';
export { FR_PACK } from './packs/fr.js';
export type { PackEntry } from './packs/pack-entry.js';
