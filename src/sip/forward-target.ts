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
import { uriUser } from './request-headers.js';

/** Longest Request-URI user forwarded as received. */
export const MAX_FORWARDED_USER = 64;
/** Request-URIs this long or longer are never rewritten by drachtio-server's proxy (isLocalSipUri's buffer). */
export const DRACHTIO_URI_LIMIT = 255;
const DIAL_STRING = /^[0-9A-Za-z+*#._~-]+$/;

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

export function isDialString(user: string): boolean {
  return user.length <= MAX_FORWARDED_USER && DIAL_STRING.test(user);
}

/** A sip: URI has a user only before an `@` (`sip:pbx.example.com` has none); a tel: URI is all user. */
function requestUser(requestUri: string): string | null {
  const uri = requestUri.trim();
  if (/^sips?:/i.test(uri) && !/^sips?:[^?>@]*@/i.test(uri)) return null;
  return uriUser(uri);
}

/**
 * Whether drachtio-server's proxy will put the app's destination in the request line: a sip:/sips: URI shorter
 * than 255 characters whose host and port are where drachtio received the request (`receivedOn`; when drachtio does
 * not say, assumed). 127.0.0.1 also answers to `localhost`, as in drachtio's own list.
 */
export function drachtioRewrites(requestUri: string, receivedOn: string | null | undefined): boolean {
  const uri = requestUri.trim();
  if (uri.length >= DRACHTIO_URI_LIMIT || !/^sips?:/i.test(uri)) return false;
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
  const user = trunkUser ?? requestUser(requestUri);
  if (user === null || user === '') return { routable: true, user: null, replaced: null };
  if (isDialString(user)) return { routable: true, user, replaced: null };
  if (drachtioRewrites(requestUri, receivedOn) && called?.e164)
    return { routable: true, user: called.e164, replaced: user };
  return { routable: false, received: user, tooLong: requestUri.trim().length >= DRACHTIO_URI_LIMIT };
}

/** A received user for logs and reasons: bounded, printable, with its full length. */
export function describeUser(user: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = user.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length <= 24 ? `"${printable}"` : `"${printable.slice(0, 20)}…" (${user.length} characters)`;
}
