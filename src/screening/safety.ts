import { DAY_MS } from '../time/units.js';
/**
 * Safety nets: the callers crocetta must never block, whatever the learned evidence says. Checked before the
 * evidence; each gives a trusted verdict with the reason that saved the call.
 */
import type { CallerIdentity } from '../callerid/types.js';
import { isoTime, type DayFormatter } from './dates.js';
import { span } from './decay.js';
import type { SafetyRules } from './learning.js';
import { PrefixTable } from './prefix-table.js';
import type { CallerEvidence, Reason } from './types.js';

export interface CompiledSafety {
  rules: SafetyRules;
  own: PrefixTable<string>;
  bypass: RegExp[];
  service: ReadonlySet<string>;
  /** The most digits of any service number. */
  serviceMaxDigits: number;
  nameAllow: RegExp[];
  nameBlock: RegExp[];
}

function patterns(list: readonly string[], what: string, flags = ''): RegExp[] {
  return list.map((p) => {
    try {
      return new RegExp(p, flags);
    } catch {
      throw new Error(`screening rules: ${what} pattern ${JSON.stringify(p)} is not a valid regular expression`);
    }
  });
}

export function compileSafety(rules: SafetyRules): CompiledSafety {
  for (const n of rules.ownNumbers) {
    if (!/^\+[1-9][0-9]{0,14}$/.test(n))
      throw new Error(`screening rules: own number "${n}" must be E.164, e.g. +390212345678`);
  }
  const service = new Set(rules.serviceNumbers.map((s) => s.replace(/[^0-9]/g, '')));
  return {
    rules,
    own: new PrefixTable(rules.ownNumbers.map((n) => [n, n] as const)),
    bypass: patterns(rules.bypassCallers, 'bypass caller'),
    service,
    serviceMaxDigits: Math.max(0, ...[...service].map((d) => d.length)),
    nameAllow: patterns(rules.displayNameAllow, 'display-name allow', 'i'),
    nameBlock: patterns(rules.displayNameBlock, 'display-name block', 'i'),
  };
}

function trustedReason(code: Reason['code'], text: string, params: Record<string, string | number>): Reason {
  return { code, text, weight: 0, params };
}

/**
 * The digits of `raw` are one of the service numbers. Counts the digits first: a caller's number has more than
 * any service number, and then no string is built.
 */
function isServiceNumber(s: CompiledSafety, raw: string): boolean {
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39 && ++count > s.serviceMaxDigits) return false;
  }
  return s.service.has(raw.replace(/[^0-9]/g, ''));
}

/**
 * Own DIDs, internal extensions, intercoms, emergency and service numbers: trusted before anything else. A short code
 * the business marked nuisance (`markedNuisance`) is screened: the short-code net (rules.shortCodes) keeps unknown
 * ones from harm, not one the office said it does not want (48018's marketing texts); the service numbers listed
 * (112, 113…) stay unblockable whatever the mark.
 */
export function bypassReason(s: CompiledSafety, identity: CallerIdentity, markedNuisance = false): Reason | null {
  const number = identity.number;
  if (number === null) return null;
  const e164 = number.e164;
  if (e164 !== null) {
    const own = s.own.match(e164);
    if (own !== undefined)
      return trustedReason('bypass', `one of your own numbers (${own}): not screened`, { rule: own });
  }
  for (const re of s.bypass) {
    if (re.test(number.raw)) {
      return trustedReason('bypass', `internal caller ${number.raw} (bypass rule ${re.source}): not screened`, {
        rule: re.source,
      });
    }
  }
  const shortCode = e164 === null && number.flags.includes('short-code');
  if (isServiceNumber(s, number.raw) || (s.rules.shortCodes && shortCode && !markedNuisance)) {
    return trustedReason('service-number', `emergency or service number ${number.raw}: never blocked`, {
      number: number.raw,
    });
  }
  return null;
}

/** The business's own trust learned from what it did: called the number, talked long, a display-name pattern. */
export function learnedTrustReason(
  s: CompiledSafety,
  identity: CallerIdentity,
  evidence: CallerEvidence,
  now: number,
  dates: DayFormatter,
): Reason | null {
  const called = evidence.calledByUs;
  if (called !== undefined && called !== null && now - called <= s.rules.calledByUsDays * DAY_MS) {
    return trustedReason('called-by-us', `you called this number on ${dates.dayMonthYear(called)}`, {
      calledAt: isoTime(called),
    });
  }
  const min = s.rules.persistentHumanSeconds;
  const talks = evidence.talks;
  if (min > 0 && talks !== undefined) {
    for (let i = talks.length - 1; i >= 0; i--) {
      const seconds = talks.secondsOf(i);
      if (seconds >= min) {
        const at = talks.atOf(i);
        return trustedReason('persistent-human', `talked ${span(seconds * 1000)} with you on ${dates.dayMonth(at)}`, {
          seconds,
          at: isoTime(at),
        });
      }
    }
  }
  const name = identity.displayName;
  if (name !== null) {
    for (const re of s.nameAllow) {
      if (re.test(name))
        return trustedReason('display-name-allow', `display name "${name}" matches your allow pattern ${re.source}`, {
          pattern: re.source,
        });
    }
  }
  return null;
}

export function displayNameBlockReason(s: CompiledSafety, identity: CallerIdentity): Reason | null {
  const name = identity.displayName;
  if (name === null) return null;
  for (const re of s.nameBlock) {
    if (re.test(name)) {
      return {
        code: 'display-name-block',
        text: `display name "${name}" matches your block pattern ${re.source}`,
        weight: s.rules.displayNameBlockWeight,
        params: { pattern: re.source, name },
      };
    }
  }
  return null;
}
