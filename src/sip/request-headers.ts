import type Srf from 'drachtio-srf';
import type { SipHeaderSource } from '../callerid/types.js';

/**
 * Compact header forms drachtio-srf's parser does not map (it knows f, t, i, m, ...). RFC 8224 gives Identity
 * the compact form `y`.
 */
const EXTRA_COMPACT: ReadonlyMap<string, string> = new Map([['identity', 'y']]);

/**
 * drachtio-srf's compact header forms (sip-parser/parser.js): it stores `f:` as `from` and maps a compact name
 * looked up to its full name as well.
 */
const DRACHTIO_COMPACT: ReadonlyMap<string, string> = new Map([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'contact-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
]);

/**
 * The request's headers by lower-case name, built once per request: drachtio-srf's `req.get(name)` lists and
 * lower-cases every header name (and reads process.env) on each call, and screening asks for eight names, most of
 * them absent. Same answers as `req.get`: the first header whose name matches case-insensitively. Null when the
 * request has no header table (then `req.get` is used).
 */
function headersByName(req: Srf.SrfRequest): Map<string, unknown> | null {
  const headers = (req as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return null;
  const byName = new Map<string, unknown>();
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (!byName.has(lower)) byName.set(lower, (headers as Record<string, unknown>)[key]);
  }
  return byName;
}

/** The headers of a received request, as the pure caller-ID code reads them (one object, no closure per call). */
class RequestHeaders implements SipHeaderSource {
  readonly requestUri: string;
  private byName: Map<string, unknown> | null | undefined;

  constructor(private readonly req: Srf.SrfRequest) {
    this.requestUri = req.uri ?? '';
  }

  header(name: string): string[] {
    const values: string[] = [];
    const full = this.get(name);
    if (typeof full === 'string' && full !== '') values.push(full);
    const compact = EXTRA_COMPACT.get(name.toLowerCase());
    if (compact) {
      const short = this.get(compact);
      if (typeof short === 'string' && short !== '') values.push(short);
    }
    return values;
  }

  private get(name: string): unknown {
    if (this.byName === undefined) this.byName = headersByName(this.req);
    if (this.byName === null) return this.req.get(name);
    const lower = name.toLowerCase();
    return this.byName.get(DRACHTIO_COMPACT.get(lower) ?? lower);
  }
}

/** The headers of a received request, as the pure caller-ID code reads them. */
export function headerSource(req: Srf.SrfRequest): SipHeaderSource {
  return new RequestHeaders(req);
}

/** The user part of a SIP/tel URI as received (our DID on inbound calls), or null. */
export function uriUser(uri: string): string | null {
  const m = /^(?:sips?|tel):([^@;?>]+)/i.exec(uri.trim());
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** `sip:host:port` of the PBX with `user` put in as the user part (replacing any there). */
export function withUser(pbxUri: string, user: string | null): string {
  if (!user) return pbxUri;
  const m = /^(sips?):(?:[^@]*@)?(.*)$/i.exec(pbxUri);
  if (!m) return pbxUri;
  const escaped = user.replace(/[^0-9A-Za-z+\-_.!~*'()&=$,;?/]/g, (c) => encodeURIComponent(c));
  return `${m[1]}:${escaped}@${m[2]}`;
}
