/**
 * The Request-URI user crocetta forwards to the PBX (put in the PBX's URI): one crocetta can vouch for.
 *
 * - The user as the carrier sent it, when it is a sane dial string (digits, `+*#`, letters for registration-style
 *   account names, `._~-`, at most 64 characters): PBXs route inbound calls on the carrier's own format
 *   (`0612345678`, `39...`, `+39...`), so it goes through untouched.
 * - Otherwise the DID crocetta read from the Request-URI or To, normalized to E.164: a caller's 237-character user
 *   never reaches drachtio-server's proxy (it fails on it, `sres_send_dns_query(): encoding: too long label`, and
 *   never answers the caller).
 * - Otherwise (a user, but no number anywhere) nothing routable: the caller is refused 404 Not Found, as a PBX
 *   answers a number it does not have, instead of ringing the office with a request no DID matches.
 * - No user at all (`sip:pbx.example.com`): none, the PBX's URI as configured, as before.
 */
import type { PhoneNumber } from '../callerid/types.js';
import { uriUser } from './request-headers.js';

/** Longest Request-URI user forwarded as received. */
export const MAX_FORWARDED_USER = 64;
const DIAL_STRING = /^[0-9A-Za-z+*#._~-]+$/;

export type ForwardTarget =
  | {
      routable: true;
      /** The user to put in the PBX's URI; null: none (the PBX's URI as configured). */
      user: string | null;
      /** The user received, when it was replaced by the DID. */
      replaced: string | null;
    }
  | { routable: false; /** The user received. */ received: string };

export function isDialString(user: string): boolean {
  return user.length <= MAX_FORWARDED_USER && DIAL_STRING.test(user);
}

/** A sip: URI has a user only before an `@` (`sip:pbx.example.com` has none); a tel: URI is all user. */
function requestUser(requestUri: string): string | null {
  const uri = requestUri.trim();
  if (/^sips?:/i.test(uri) && !/^sips?:[^?>@]*@/i.test(uri)) return null;
  return uriUser(uri);
}

/** `trunkUser`: for a call to the registration trunk's contact, the DID it was called on (src/sip/trunk-inbound.ts). */
export function forwardTarget(requestUri: string, called: PhoneNumber | null, trunkUser: string | null = null): ForwardTarget {
  const user = trunkUser ?? requestUser(requestUri);
  if (user === null || user === '') return { routable: true, user: null, replaced: null };
  if (isDialString(user)) return { routable: true, user, replaced: null };
  if (called?.e164) return { routable: true, user: called.e164, replaced: user };
  return { routable: false, received: user };
}

/** A received user for logs and reasons: bounded, printable, with its full length. */
export function describeUser(user: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = user.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length <= 24 ? `"${printable}"` : `"${printable.slice(0, 20)}…" (${user.length} characters)`;
}
