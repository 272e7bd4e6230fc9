import type Srf from 'drachtio-srf';
import type { SipHeaderSource } from '../callerid/types.js';

/**
 * Compact header forms drachtio-srf's parser does not map (it knows f, t, i, m, ...). RFC 8224 gives Identity
 * the compact form `y`.
 */
const EXTRA_COMPACT: Readonly<Record<string, string>> = { identity: 'y' };

/** The headers of a received request, as the pure caller-ID code reads them. */
export function headerSource(req: Srf.SrfRequest): SipHeaderSource {
  return {
    requestUri: req.uri ?? '',
    header(name: string): string[] {
      const values: string[] = [];
      const full = req.get(name) as string | undefined;
      if (typeof full === 'string' && full !== '') values.push(full);
      const compact = EXTRA_COMPACT[name.toLowerCase()];
      if (compact) {
        const short = req.get(compact) as string | undefined;
        if (typeof short === 'string' && short !== '') values.push(short);
      }
      return values;
    },
  };
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
