/**
 * The parts of a `sip:`, `sips:` or `tel:` URI (RFC 3261 §19.1, RFC 3966) that say who is calling.
 * Lenient: a URI without a scheme (`0212345678@10.0.0.1`, `0212345678`) is read as if it were `sip:`.
 */
import { NO_PARAMS, paramsAfter } from './header-values.js';
import { unescapeUri } from './text.js';

export interface ParsedUri {
  /** `sip`, `sips`, `tel`; `none` when the text had no scheme; `other` for a scheme we do not read (`urn:`...). */
  scheme: 'sip' | 'sips' | 'tel' | 'none' | 'other';
  /** User part (sip) or subscriber (tel), %-unescaped, without its `;` parameters; null when there is none. */
  user: string | null;
  /** `host[:port]`, in lower case (splitHostPort, in uri-host.ts, reads them apart); null when there is none. */
  host: string | null;
  /** URI parameters (`user=phone`, `verstat=...`) and, for tel: and telephone-subscriber users, theirs too. */
  params: ReadonlyMap<string, string>;
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** The index of the colon that ends a URI scheme (RFC 3986: a letter, then letters, digits, + - .), or -1. */
function schemeEnd(s: string): number {
  const colon = s.indexOf(':');
  if (colon <= 0 || colon > 16) return -1;
  for (let i = 0; i < colon; i++) if (!isSchemeChar(s.charCodeAt(i), i === 0)) return -1;
  return colon;
}

/** `s` starts with `lower` (a lower-case ASCII word) in any case, then `:`. */
function isScheme(s: string, colon: number, lower: string): boolean {
  if (colon !== lower.length) return false;
  for (let i = 0; i < colon; i++) if ((s.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

function withMerged(
  target: ReadonlyMap<string, string>,
  source: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> {
  if (target.size === 0) return source;
  if (source.size === 0) return target;
  const merged = new Map(target);
  for (const [k, v] of source) if (!merged.has(k)) merged.set(k, v);
  return merged;
}

/** `s` up to the first `ch` (all of it when there is none). */
function before(s: string, ch: string): string {
  const i = s.indexOf(ch);
  return i < 0 ? s : s.slice(0, i);
}

function parseSipLike(scheme: ParsedUri['scheme'], rest: string): ParsedUri {
  const beforeHeaders = before(rest, '?');
  const at = beforeHeaders.indexOf('@');
  let params: ReadonlyMap<string, string> = NO_PARAMS;
  let user: string | null = null;
  let hostPart = beforeHeaders;
  if (at >= 0) {
    const userinfo = before(beforeHeaders.slice(0, at), ':'); // drop a password
    const semi = userinfo.indexOf(';');
    user = unescapeUri(semi < 0 ? userinfo : userinfo.slice(0, semi)).trim();
    hostPart = beforeHeaders.slice(at + 1);
    if (semi >= 0) params = paramsAfter(userinfo, semi + 1);
  }
  const semi = hostPart.indexOf(';');
  const host = semi < 0 ? hostPart : hostPart.slice(0, semi);
  if (semi >= 0) params = withMerged(params, paramsAfter(hostPart, semi + 1));
  return { scheme, user, host: host.trim().toLowerCase() || null, params };
}

/** Parses a URI taken from a header or the Request-URI. Never throws. */
export function parseUri(text: string): ParsedUri {
  const s = text.trim();
  const colon = schemeEnd(s);
  if (colon < 0) {
    // No scheme: a bare number or user@host, as some PBXs write them.
    const hasHost = s.includes('@');
    const parsed = parseSipLike('none', hasHost ? s : `${s}@`);
    if (!hasHost) parsed.host = null;
    return parsed;
  }
  const rest = s.slice(colon + 1);
  if (isScheme(s, colon, 'sip')) return parseSipLike('sip', rest);
  if (isScheme(s, colon, 'sips')) return parseSipLike('sips', rest);
  if (isScheme(s, colon, 'tel')) {
    const semi = rest.indexOf(';');
    return {
      scheme: 'tel',
      user: unescapeUri(semi < 0 ? rest : rest.slice(0, semi)).trim(),
      host: null,
      params: semi < 0 ? NO_PARAMS : paramsAfter(rest, semi + 1),
    };
  }
  return { scheme: 'other', user: null, host: null, params: NO_PARAMS };
}

/**
 * The telephone number a URI carries, as text: the user part, with a global `phone-context` (`+39`) put in front
 * of a local number as RFC 3966 §5.1.5 says. Null when there is no user part.
 */
export function uriNumberText(uri: ParsedUri): string | null {
  if (uri.user === null || uri.user === '') return null;
  const context = uri.params.get('phone-context');
  if (context !== undefined && context.startsWith('+') && !uri.user.startsWith('+')) {
    return `${context} ${uri.user}`;
  }
  return uri.user;
}
