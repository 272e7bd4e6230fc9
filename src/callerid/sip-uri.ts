/**
 * The parts of a `sip:`, `sips:` or `tel:` URI (RFC 3261 §19.1, RFC 3966) that say who is calling.
 * Lenient: a URI without a scheme (`0212345678@10.0.0.1`, `0212345678`) is read as if it were `sip:`.
 */
import { parseParams } from './header-values.js';
import { unescapeUri } from './text.js';

export interface ParsedUri {
  /** `sip`, `sips`, `tel`; `none` when the text had no scheme; `other` for a scheme we do not read (`urn:`...). */
  scheme: 'sip' | 'sips' | 'tel' | 'none' | 'other';
  /** User part (sip) or subscriber (tel), %-unescaped, without its `;` parameters; null when there is none. */
  user: string | null;
  host: string | null;
  /** URI parameters (`user=phone`, `verstat=...`) and, for tel: and telephone-subscriber users, theirs too. */
  params: Map<string, string>;
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

function schemeOf(s: string): { scheme: string; rest: string } | null {
  const colon = s.indexOf(':');
  if (colon <= 0 || colon > 16) return null;
  for (let i = 0; i < colon; i++) if (!isSchemeChar(s.charCodeAt(i), i === 0)) return null;
  return { scheme: s.slice(0, colon).toLowerCase(), rest: s.slice(colon + 1) };
}

function mergeInto(target: Map<string, string>, source: Map<string, string>): void {
  for (const [k, v] of source) if (!target.has(k)) target.set(k, v);
}

function splitOnce(s: string, ch: string): [string, string | null] {
  const i = s.indexOf(ch);
  return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)];
}

function parseSipLike(rest: string): Omit<ParsedUri, 'scheme'> {
  const [beforeHeaders] = splitOnce(rest, '?');
  const at = beforeHeaders.indexOf('@');
  const params = new Map<string, string>();
  let user: string | null = null;
  let hostPart = beforeHeaders;
  if (at >= 0) {
    const [userinfo] = splitOnce(beforeHeaders.slice(0, at), ':'); // drop a password
    const [u, userParams] = splitOnce(userinfo, ';');
    user = unescapeUri(u).trim();
    hostPart = beforeHeaders.slice(at + 1);
    if (userParams !== null) mergeInto(params, parseParams(userParams));
  }
  const [host, uriParams] = splitOnce(hostPart, ';');
  if (uriParams !== null) mergeInto(params, parseParams(uriParams));
  return { user, host: host.trim().toLowerCase() || null, params };
}

/** Parses a URI taken from a header or the Request-URI. Never throws. */
export function parseUri(text: string): ParsedUri {
  const s = text.trim();
  const sch = schemeOf(s);
  if (sch === null) {
    // No scheme: a bare number or user@host, as some PBXs write them.
    const parts = parseSipLike(s.includes('@') ? s : `${s}@`);
    return { scheme: 'none', ...parts, host: s.includes('@') ? parts.host : null };
  }
  if (sch.scheme === 'sip' || sch.scheme === 'sips') return { scheme: sch.scheme, ...parseSipLike(sch.rest) };
  if (sch.scheme === 'tel') {
    const [number, telParams] = splitOnce(sch.rest, ';');
    return {
      scheme: 'tel',
      user: unescapeUri(number).trim(),
      host: null,
      params: telParams === null ? new Map<string, string>() : parseParams(telParams),
    };
  }
  return { scheme: 'other', user: null, host: null, params: new Map<string, string>() };
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
