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
const ANONYMOUS_USERS = new Set([
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
  return uri.user !== null && ANONYMOUS_USERS.has(uri.user.toLowerCase());
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
