/**
 * The Request-URI user crocetta forwards to the PBX (put in the PBX's URI): one crocetta can vouch for.
 *
 * - The user as the carrier sent it, when it is a sane dial string (digits, `+*#`, letters for registration-style
 *   account names, `._~-`, at most 64 characters): PBXs route inbound calls on the carrier's own format
 *   (`0612345678`, `39...`, `+39...`), so it goes through untouched.
 * - Otherwise the DID crocetta read from the Request-URI or To, normalized to E.164 — but only where
 *   drachtio-server will put it in the request line. Its proxy rewrites the request line to the app's destination
 *   only for a Request-URI addressed to drachtio itself and shorter than 255 characters (ClientTransaction::
 *   forwardRequest asks isLocalSipUri, which copies the URI into a 255-byte buffer); any other Request-URI goes to
 *   the PBX as the carrier sent it, whatever the destination says. A caller's 237-character user made the
 *   destination itself too long: drachtio cut it at 255 characters and sent the call to a wrong port (408 after
 *   32 s) or, longer, to a host name cut short (`sres_send_dns_query(): encoding: too long label`), never answering.
 * - Otherwise nothing routable: the caller is refused, 414 Request-URI Too Long when the Request-URI is that long
 *   (RFC 3261 21.4.12), else 404 Not Found, as a PBX answers a number it does not have.
 * - No user at all (`sip:pbx.example.com`): none, the PBX's URI as configured, as before.
 */
import { sipUriAddress, splitHostPort } from '../callerid/index.js';
import type { PhoneNumber } from '../callerid/types.js';
import { isAlphanumeric, uriScheme, userAfterScheme } from './request-headers.js';

/** Longest Request-URI user forwarded as received. */
export const MAX_FORWARDED_USER = 64;
/** Request-URIs this long or longer are never rewritten by drachtio-server's proxy (isLocalSipUri's buffer). */
export const DRACHTIO_URI_LIMIT = 255;

export type ForwardTarget =
  | {
      routable: true;
      /** The user to put in the PBX's URI; null: none (the PBX's URI as configured). */
      user: string | null;
      /** The user received, when it was replaced by the DID. */
      replaced: string | null;
    }
  | {
      routable: false;
      /** The user received. */
      received: string;
      /** The whole Request-URI is too long for drachtio-server to replace (414 rather than 404). */
      tooLong: boolean;
    };

/**
 * A user of 1-64 characters of `[0-9A-Za-z+*#._~-]`, tested character by character: on the way to every forward,
 * where a regular expression's first run after a pause costs more than the compares (forward-target.test.ts
 * compares the two over generated users).
 */
export function isDialString(user: string): boolean {
  const n = user.length;
  if (n === 0 || n > MAX_FORWARDED_USER) return false;
  for (let i = 0; i < n; i++) {
    const c = user.charCodeAt(i);
    if (isAlphanumeric(c)) continue;
    // + * # . _ ~ -
    if (c === 0x2b || c === 0x2a || c === 0x23 || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2d) continue;
    return false;
  }
  return true;
}

/**
 * A sip: URI has a user only before an `@` (`sip:pbx.example.com` has none: no `@` before its first `?` or `>`); a
 * tel: URI is all user. Read in one pass from the scheme on (uriScheme, userAfterScheme), no regular expression.
 */
export function requestUser(requestUri: string): string | null {
  const uri = requestUri.trim();
  const scheme = uriScheme(uri);
  if (scheme.sip) {
    let i = scheme.length;
    for (; i < uri.length; i++) {
      const c = uri.charCodeAt(i);
      if (c === 0x40 /* @ */) break;
      if (c === 0x3f /* ? */ || c === 0x3e /* > */) return null;
    }
    if (i === uri.length) return null;
  }
  return userAfterScheme(uri);
}

/**
 * Whether drachtio-server's proxy will put the app's destination in the request line: a sip:/sips: URI shorter
 * than 255 characters whose host and port are where drachtio received the request (`receivedOn`; when drachtio does
 * not say, assumed). 127.0.0.1 also answers to `localhost`, as in drachtio's own list.
 */
export function drachtioRewrites(requestUri: string, receivedOn: string | null | undefined): boolean {
  const uri = requestUri.trim();
  if (uri.length >= DRACHTIO_URI_LIMIT || !uriScheme(uri).sip) return false;
  if (!receivedOn) return true;
  const target = sipUriAddress(uri);
  const at = splitHostPort(receivedOn);
  if (target === null || at === null || (target.port ?? 5060) !== (at.port ?? 5060)) return false;
  const here = at.host.toLowerCase();
  return target.host === here || (target.host === 'localhost' && here === '127.0.0.1');
}

/**
 * `receivedOn`: where drachtio received the request (`address:port`); `trunkUser`: for a call to the registration
 * trunk's contact, the DID it was called on (src/sip/trunk-inbound.ts), vouched for like a Request-URI user.
 */
export function forwardTarget(
  requestUri: string,
  called: PhoneNumber | null,
  receivedOn?: string | null,
  trunkUser: string | null = null,
): ForwardTarget {
  const did = called === null ? null : called.e164;
  const at = receivedOn ?? null;
  const last = lastTarget;
  if (
    last !== null &&
    last.requestUri === requestUri &&
    last.did === did &&
    last.receivedOn === at &&
    last.trunkUser === trunkUser
  ) {
    return last.target;
  }
  const target = Object.freeze(targetOf(requestUri, did, at, trunkUser));
  lastTarget = { requestUri, did, receivedOn: at, trunkUser, target };
  return target;
}

/**
 * The last target worked out and what it was worked out from: an office's calls come to a few DIDs, mostly its main
 * one, so the next call's Request-URI is usually the last one's, and its target the same (a function of these four
 * values alone). Compared first: the Request-URI's user read and tested cost a call ~5 µs before its proxy, on
 * caches gone cold since the previous call (session 33's timeline, bench:sip at 100 calls/s).
 */
let lastTarget: {
  requestUri: string;
  did: string | null;
  receivedOn: string | null;
  trunkUser: string | null;
  target: ForwardTarget;
} | null = null;

function targetOf(
  requestUri: string,
  did: string | null,
  receivedOn: string | null,
  trunkUser: string | null,
): ForwardTarget {
  const user = trunkUser ?? requestUser(requestUri);
  if (user === null || user === '') return { routable: true, user: null, replaced: null };
  if (isDialString(user)) return { routable: true, user, replaced: null };
  if (drachtioRewrites(requestUri, receivedOn) && did) return { routable: true, user: did, replaced: user };
  return { routable: false, received: user, tooLong: requestUri.trim().length >= DRACHTIO_URI_LIMIT };
}

/** A received user for logs and reasons: bounded, printable, with its full length. */
export function describeUser(user: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = user.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length <= 24 ? `"${printable}"` : `"${printable.slice(0, 20)}…" (${user.length} characters)`;
}
