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

/** `s` up to the first `ch` (all of it when there is none). */
function before(s: string, ch: string): string {
  const i = s.indexOf(ch);
  return i < 0 ? s : s.slice(0, i);
}

function parseSipLike(scheme: ParsedUri['scheme'], rest: string): ParsedUri {
  const beforeHeaders = before(rest, '?');
  const at = beforeHeaders.indexOf('@');
  const params = new Map<string, string>();
  let user: string | null = null;
  let hostPart = beforeHeaders;
  if (at >= 0) {
    const userinfo = before(beforeHeaders.slice(0, at), ':'); // drop a password
    const semi = userinfo.indexOf(';');
    user = unescapeUri(semi < 0 ? userinfo : userinfo.slice(0, semi)).trim();
    hostPart = beforeHeaders.slice(at + 1);
    if (semi >= 0) mergeInto(params, parseParams(userinfo.slice(semi + 1)));
  }
  const semi = hostPart.indexOf(';');
  const host = semi < 0 ? hostPart : hostPart.slice(0, semi);
  if (semi >= 0) mergeInto(params, parseParams(hostPart.slice(semi + 1)));
  return { scheme, user, host: host.trim().toLowerCase() || null, params };
}

/** Parses a URI taken from a header or the Request-URI. Never throws. */
export function parseUri(text: string): ParsedUri {
  const s = text.trim();
  const sch = schemeOf(s);
  if (sch === null) {
    // No scheme: a bare number or user@host, as some PBXs write them.
    const hasHost = s.includes('@');
    const parsed = parseSipLike('none', hasHost ? s : `${s}@`);
    if (!hasHost) parsed.host = null;
    return parsed;
  }
  if (sch.scheme === 'sip' || sch.scheme === 'sips') return parseSipLike(sch.scheme, sch.rest);
  if (sch.scheme === 'tel') {
    const semi = sch.rest.indexOf(';');
    return {
      scheme: 'tel',
      user: unescapeUri(semi < 0 ? sch.rest : sch.rest.slice(0, semi)).trim(),
      host: null,
      params: semi < 0 ? new Map<string, string>() : parseParams(sch.rest.slice(semi + 1)),
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
