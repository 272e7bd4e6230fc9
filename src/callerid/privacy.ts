/**
 * Signs that a caller chose not to be identified: the Privacy header (RFC 3323/3325), Remote-Party-ID's
 * `privacy` parameter, anonymous URIs (RFC 3323 §4.1.1.3) and display names carriers and PBXs use.
 */
import { splitHeaderList } from './header-values.js';
import type { ParsedUri } from './sip-uri.js';

/** Privacy values that hide the caller's identity; `none`, `session` and `critical` alone do not. */
const WITHHOLDING_PRIVACY = new Set(['id', 'user', 'header']);

/** `Privacy: id`, `Privacy: id;critical`, `Privacy: user, header`... (case-insensitive). */
export function privacyWithholds(values: readonly string[]): boolean {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (const item of splitHeaderList(v)) {
      for (const token of item.split(';')) {
        if (WITHHOLDING_PRIVACY.has(token.trim().toLowerCase())) return true;
      }
    }
  }
  return false;
}

/** User parts that mean "no number": `sip:anonymous@anonymous.invalid`, `sip:restricted@...`, `tel:anonymous`. */
export const ANONYMOUS_USERS: ReadonlySet<string> = new Set([
  'anonymous',
  'anonymous.invalid',
  'restricted',
  'unknown',
  'unavailable',
  'private',
  'withheld',
  'anonimo',
  'privato',
  'sconosciuto',
  'anonyme',
  'anonym',
]);

export function isAnonymousUri(uri: ParsedUri): boolean {
  if (uri.host === 'anonymous.invalid') return true;
  const user = uri.user;
  if (user === null || user === '') return false;
  // Every such user part begins with an ASCII letter: one that begins with another ASCII character (a number's
  // digit or `+`, nearly every caller) is none of them, without lower-casing it and hashing it for the Set
  // (a new string on each call: ~4% of a new caller's caller ID on cold caches, perf).
  const c = user.charCodeAt(0);
  if (c < 0x80 && !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return false;
  return ANONYMOUS_USERS.has(user.toLowerCase());
}

/** Display names that stand for a withheld caller, compared after sanitizing, case-insensitive. */
const ANONYMOUS_NAMES = new Set([
  'anonymous',
  'unknown',
  'restricted',
  'withheld',
  'private',
  'unavailable',
  'sconosciuto',
  'privato',
  'anonimo',
  'private number',
  'unknown caller',
  'numero privato',
  'numero sconosciuto',
  'anonyme',
  'anonym',
]);

export function isAnonymousName(name: string | null): boolean {
  return name !== null && ANONYMOUS_NAMES.has(name.toLowerCase());
}

export type RpidPrivacy = 'full' | 'name' | 'uri' | 'off' | null;

/** Remote-Party-ID `privacy=full|name|uri|off`; absent or unknown values count as none. */
export function rpidPrivacy(params: ReadonlyMap<string, string>): RpidPrivacy {
  const p = params.get('privacy')?.trim().toLowerCase();
  return p === 'full' || p === 'name' || p === 'uri' || p === 'off' ? p : null;
}
