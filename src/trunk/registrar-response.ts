/**
 * What a registrar's answer means for us: the expiry granted to OUR binding, the Min-Expires of a 423, a
 * Retry-After. Registrars are not always kind: every reader here takes any text and never throws. Pure.
 */
import { parseNameAddr, splitHeaderList } from '../callerid/header-values.js';
import { sipUriAddress } from '../callerid/index.js';

/** A registrar's answer, as the adapter hands it over (0 = no answer: timeout, transport error, not sent). */
export interface RegistrarResponse {
  status: number;
  reason: string;
  wwwAuthenticate: string[];
  proxyAuthenticate: string[];
  /** Contact header values (one string may hold several bindings, comma-separated). */
  contact: string[];
  expires: string | null;
  minExpires: string | null;
  retryAfter: string | null;
}

export function noAnswer(reason: string): RegistrarResponse {
  return {
    status: 0,
    reason,
    wwwAuthenticate: [],
    proxyAuthenticate: [],
    contact: [],
    expires: null,
    minExpires: null,
    retryAfter: null,
  };
}

/** The longest registration we schedule around (a day): a grant of 2^32 s must not overflow a timer. */
export const MAX_GRANT_SECONDS = 86_400;
/** A 423 asking for more than this is not followed (it would be a registration for weeks). */
export const MAX_MIN_EXPIRES = 86_400;

/** Delta-seconds (RFC 3261 §25.1: 1*DIGIT), or null for anything else. */
export function deltaSeconds(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const m = /^\s*(\d{1,10})\s*(?:[;(].*)?$/.exec(text);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

interface UriKey {
  user: string;
  host: string;
  port: number;
}

function uriKey(uri: string): UriKey | null {
  const at = sipUriAddress(uri);
  if (at === null || at.user === null || at.user === '') return null;
  const secure = at.scheme === 'sips' || at.params.get('transport')?.toLowerCase() === 'tls';
  return { user: at.user, host: at.host, port: at.port ?? (secure ? 5061 : 5060) };
}

/**
 * The expiry the registrar granted our binding: the `expires` parameter of OUR Contact among those listed (a
 * registrar lists every binding of the AOR, other devices' too), else the Expires header, else what we asked for.
 * Our Contact is matched on user, host and port (default port filled in; URI parameters ignored). Capped at
 * MAX_GRANT_SECONDS.
 */
export function grantedExpiry(
  res: Pick<RegistrarResponse, 'contact' | 'expires'>,
  ourContact: string,
  requested: number,
): { seconds: number; from: 'contact' | 'expires' | 'requested' } {
  const ours = uriKey(ourContact);
  const bindings = res.contact.flatMap((v) => (typeof v === 'string' ? splitHeaderList(v) : [])).map(parseNameAddr);
  if (ours !== null) {
    for (const binding of bindings) {
      const key = uriKey(binding.uri);
      if (key === null || key.user !== ours.user || key.host !== ours.host || key.port !== ours.port) continue;
      const seconds = deltaSeconds(binding.params.get('expires'));
      if (seconds !== null) return { seconds: Math.min(seconds, MAX_GRANT_SECONDS), from: 'contact' };
    }
  }
  const header = deltaSeconds(res.expires);
  if (header !== null) return { seconds: Math.min(header, MAX_GRANT_SECONDS), from: 'expires' };
  return { seconds: Math.min(requested, MAX_GRANT_SECONDS), from: 'requested' };
}

/**
 * When to refresh a grant: half-way (RFC 3261 leaves it to the UA; half keeps a wide margin on short grants: a
 * 40 s grant is refreshed after 20 s, and a refresh that fails still has the other half to be retried). In ms.
 */
export function refreshDelayMs(grantSeconds: number): number {
  return Math.max(500, (grantSeconds * 1000) / 2);
}

/** The Min-Expires of a 423 to retry with, or the reason it cannot be followed. */
export function minExpiresFrom(
  res: Pick<RegistrarResponse, 'minExpires'>,
  asked: number,
): { seconds: number } | { problem: string } {
  const seconds = deltaSeconds(res.minExpires);
  if (seconds === null)
    return { problem: `423 without a usable Min-Expires (${JSON.stringify((res.minExpires ?? '').slice(0, 40))})` };
  if (seconds > MAX_MIN_EXPIRES)
    return { problem: `423 asks for Min-Expires ${seconds} s, more than ${MAX_MIN_EXPIRES} s` };
  if (seconds <= asked) return { problem: `423 with Min-Expires ${seconds} s, not above the ${asked} s asked` };
  return { seconds };
}
