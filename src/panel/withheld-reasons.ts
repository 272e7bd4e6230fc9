/**
 * A withheld call's reasons as the office may read them (withheld.ts): the reasons whose text or facts hold the
 * caller's number or a part of it (a STIR/SHAKEN mismatch names the caller ID, a prefix rule, an AGCOM or ARCEP
 * range, a block of numbers, the prefix tree's range, an unreadable caller ID, a service or internal number), or the
 * display name withheld with it (matched by the office's name patterns), have them replaced by `…`, in the English
 * text and in the facts the Italian panel rebuilds its sentence from. The verdict, the weight and every other fact
 * stay. The log's decision line keeps them (the operator's).
 */
import type { ReasonCode } from '../screening/types.js';
import type { ReasonLike } from './reason-text.js';

/** What stands for the hidden digits in a reason. */
export const HIDDEN_DIGITS = '…';

type Params = Record<string, string | number>;

/** `text` with every occurrence of `value` (a fact's digits) replaced by `…`; unchanged when `value` is no text. */
function without(text: string, value: unknown): string {
  return typeof value === 'string' && value !== '' ? text.split(value).join(HIDDEN_DIGITS) : text;
}

/** `text` with the first group of `re` replaced by `…` (the part of the sentence that names digits). */
function group(text: string, re: RegExp): string {
  const m = re.exec(text);
  if (m?.[1] === undefined) return text;
  const at = m.index + m[0].indexOf(m[1]);
  return text.slice(0, at) + HIDDEN_DIGITS + text.slice(at + m[1].length);
}

/** For each reason that can carry the caller's digits: its text and the facts to blank. */
const HIDING: Partial<Record<ReasonCode, { facts: readonly string[]; text: (text: string, p: Params) => string }>> = {
  'shaken-orig-mismatch': {
    facts: ['callerId', 'signedFor'],
    text: (t, p) => without(without(t, p['callerId']), p['signedFor']),
  },
  'prefix-rule': { facts: ['prefix'], text: (t, p) => without(t, p['prefix']) },
  'trusted-prefix': { facts: ['prefix'], text: (t, p) => without(t, p['prefix']) },
  'telemarketing-prefix': { facts: ['prefix', 'e164Prefix'], text: (t, p) => without(t, p['prefix']) },
  'survey-prefix': { facts: ['prefix', 'e164Prefix'], text: (t, p) => without(t, p['prefix']) },
  'automated-call-prefix': { facts: ['prefix', 'e164Prefix'], text: (t, p) => without(t, p['prefix']) },
  'nuisance-block': { facts: ['block', 'prefix'], text: (t, p) => without(t, p['block']) },
  'block-sweep': { facts: ['block'], text: (t) => group(t, /^\d+ numbers of (.+?) (?:rang|contacted) \d+ /) },
  'prefix-evidence': {
    facts: ['prefix'],
    text: (t) =>
      group(
        group(t, /^\d+ (?:number|numbers|number range|number ranges) in (.+?) refused or marked /),
        / of (.+?) with calls refused /,
      ),
  },
  'unparsable-number': { facts: ['raw'], text: (t) => group(t, /^caller ID is not a valid number \("(.*)"\)$/) },
  'service-number': { facts: ['number'], text: (t, p) => without(t, p['number']) },
  // The display name (the asserted identity's, withheld with the number), matched by one of the office's patterns.
  'display-name-block': { facts: ['name'], text: (t) => group(t, /^display name "(.*)" matches your block pattern /) },
  'display-name-allow': { facts: [], text: (t) => group(t, /^display name "(.*)" matches your allow pattern /) },
  // An internal caller's extension (its rule is a pattern), or one of our own numbers (the rule is that number).
  bypass: {
    facts: ['rule'],
    text: (t, p) =>
      t.startsWith('one of your own numbers (')
        ? without(t, p['rule'])
        : group(t, /^internal caller (.+) \(bypass rule /),
  },
};

/** Whether a reason of this code can carry the caller's digits (the test lists them). */
export function carriesDigits(code: string): boolean {
  return HIDING[code as ReasonCode] !== undefined;
}

/** The reason without the caller's digits (the same object when it cannot carry them). */
export function hiddenReason<R extends ReasonLike>(r: R): R {
  const hiding = HIDING[r.code as ReasonCode];
  if (hiding === undefined) return r;
  const params: Params = { ...r.params };
  const text = hiding.text(r.text, params);
  // A bypass rule is a pattern, not digits, unless it is the number itself (one of our own numbers).
  const facts = r.code === 'bypass' && !r.text.startsWith('one of your own numbers (') ? [] : hiding.facts;
  for (const fact of facts) if (fact in params) params[fact] = HIDDEN_DIGITS;
  return { ...r, text, ...(r.params !== undefined && { params }) };
}

/** Reasons without the caller's digits. */
export function hiddenReasons<R extends ReasonLike>(reasons: readonly R[]): R[] {
  return reasons.map(hiddenReason);
}
