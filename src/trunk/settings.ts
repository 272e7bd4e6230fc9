/**
 * The registration trunk's settings, derived once from the validated config: the registrar's parts, the AOR, the
 * credentials and the timing. Pure.
 */
import type { TrunkConfig } from '../config/trunk-schema.js';

export type SipTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface RegistrarAddress {
  /** As configured: the Request-URI of every REGISTER and OPTIONS. */
  uri: string;
  scheme: 'sip' | 'sips';
  /** Host as written (a name, an IPv4 address, or an IPv6 address without brackets). */
  host: string;
  port: number | null;
  /** UDP unless the URI says otherwise (`;transport=tcp`, `sips:` → TLS). */
  transport: SipTransport;
}

export interface TrunkSettings {
  registrar: RegistrarAddress;
  /** User of the AOR and of our Contact; the Request-URI user of calls sent to the registered contact. */
  username: string;
  /** `sip:username@domain`. */
  aor: string;
  /** The AOR's domain (TRUNK_DOMAIN, else the registrar's host). */
  domain: string;
  credentials: { username: string; password: string };
  expires: number;
  /** `host` or `host:port` put in our Contact instead of drachtio-server's address; '' = drachtio's. */
  contactHost: string;
  inboundFrom: readonly string[];
  keepaliveMs: number;
  retry: { minMs: number; maxMs: number };
}

const TRANSPORTS: readonly SipTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** Reads `sip:host[:port][;params]` (validated by the schema: no user part). */
export function parseRegistrar(uri: string): RegistrarAddress {
  const m = /^(sips?):(\[[^\]]+\]|[^:;?]+)(?::(\d+))?([^?]*)/i.exec(uri.trim());
  if (!m) throw new Error(`not a registrar URI: ${uri}`);
  const scheme = (m[1] ?? 'sip').toLowerCase() as 'sip' | 'sips';
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  const params = m[4] ?? '';
  const transportParam = /;transport=([A-Za-z]+)/i.exec(params)?.[1]?.toLowerCase() as SipTransport | undefined;
  const transport: SipTransport =
    transportParam !== undefined && TRANSPORTS.includes(transportParam)
      ? transportParam
      : scheme === 'sips'
        ? 'tls'
        : 'udp';
  return { uri: uri.trim(), scheme, host, port: m[3] === undefined ? null : Number(m[3]), transport };
}

/** Null when registration is off (no registrar). */
export function trunkSettings(trunk: TrunkConfig): TrunkSettings | null {
  if (trunk.registrar === '') return null;
  const registrar = parseRegistrar(trunk.registrar);
  const hostInUri = registrar.host.includes(':') ? `[${registrar.host}]` : registrar.host;
  const domain = trunk.domain !== '' ? trunk.domain : hostInUri;
  return {
    registrar,
    username: trunk.username,
    aor: `${registrar.scheme}:${trunk.username}@${domain}`,
    domain,
    credentials: {
      username: trunk.authUsername !== '' ? trunk.authUsername : trunk.username,
      password: trunk.password,
    },
    expires: trunk.expires,
    contactHost: trunk.contactHost,
    inboundFrom: trunk.inboundFrom,
    keepaliveMs: trunk.keepaliveSeconds * 1000,
    retry: { minMs: trunk.retry.minSeconds * 1000, maxMs: trunk.retry.maxSeconds * 1000 },
  };
}
