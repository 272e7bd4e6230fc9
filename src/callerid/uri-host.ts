/**
 * The host of a SIP URI (RFC 3261 §19.1.1 `hostport`): the one reader behind the trunk's registrar
 * (src/trunk/settings.ts), the carrier lines' addresses and domains (src/sip/trunk-inbound.ts) and parseUri's
 * `host[:port]`. Pure.
 */
import { parseNameAddr } from './header-values.js';
import { parseUri } from './sip-uri.js';

export interface HostPort {
  /** As written (case kept), an IPv6 reference without its brackets. */
  host: string;
  port: number | null;
}

/**
 * Reads `host[:port]` (`sip.example:5070`, `[2001:db8::1]:5060`), from text that ends there or goes on with what is
 * after it (`;transport=tcp`, a `>`, white space: ignored). Null when there is no host.
 */
export function splitHostPort(hostport: string): HostPort | null {
  const m = /^(\[[^\]]+\]|[^:\s>]+)(?::(\d+))?/.exec(hostport);
  if (m === null) return null;
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: m[2] === undefined ? null : Number(m[2]) };
}

/**
 * The host of a `sip:` or `sips:` URI, or of a header's (`"Name" <sip:[user@]host[:port][;…]>`), without port or
 * brackets, in lower case; '' when there is none (a `tel:` URI, no URI at all).
 */
export function sipUriHost(text: string): string {
  const uri = parseUri(parseNameAddr(text).uri);
  if ((uri.scheme !== 'sip' && uri.scheme !== 'sips') || uri.host === null) return '';
  return splitHostPort(uri.host)?.host ?? '';
}
