/**
 * The host of a SIP URI (RFC 3261 §19.1.1 `hostport`) in what arrives: the one reader behind the carrier lines'
 * addresses and domains (src/sip/trunk-inbound.ts), the PBX's address (src/sip/outbound.ts), where drachtio received
 * a request (src/sip/forward-target.ts), our Contact among drachtio's addresses (src/trunk/contact.ts), our binding
 * among a registrar's (src/trunk/registrar-response.ts) and parseUri's `host[:port]`. Pure.
 * (src/pbx-register/contacts.ts's parseSipUri is no reader but a validator: it refuses what these accept. The
 * trunk's settings and drachtio-server's listening list are src/trunk/host-port.ts's readHostPort's, which reads a
 * hostport whole and refuses what this one reads past.)
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

/** A `sip:` or `sips:` URI's parts that say where it leads. */
export interface SipUriAddress {
  scheme: 'sip' | 'sips';
  /** parseUri's: %-unescaped, without a password or `;` parameters; null when there is no `@`. */
  user: string | null;
  /** In lower case, an IPv6 reference without its brackets. */
  host: string;
  port: number | null;
  /** parseUri's: the URI parameters (`transport`, `lr`…), those of the user part too. */
  params: ReadonlyMap<string, string>;
}

/**
 * A `sip:` or `sips:` URI, as a Request-URI, a Contact's URI or a setting writes it (its `;…` are URI parameters: for a
 * header's value, with `"Name" <…>;tag=…`, read parseNameAddr's `uri`); null for another scheme or no host.
 */
export function sipUriAddress(uri: string): SipUriAddress | null {
  const u = parseUri(uri);
  if ((u.scheme !== 'sip' && u.scheme !== 'sips') || u.host === null) return null;
  const at = splitHostPort(u.host);
  if (at === null) return null;
  return { scheme: u.scheme, user: u.user, host: at.host, port: at.port, params: u.params };
}

/**
 * The host of a `sip:` or `sips:` URI, or of a header's (`"Name" <sip:[user@]host[:port][;…]>`), without port or
 * brackets, in lower case; '' when there is none (a `tel:` URI, no URI at all).
 */
export function sipUriHost(text: string): string {
  return sipUriAddress(parseNameAddr(text).uri)?.host ?? '';
}
