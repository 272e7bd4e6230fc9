/**
 * The registration trunk's settings, derived once from the validated config: the registrar's parts, the AOR, the
 * credentials and the timing. Pure.
 */
import type { TrunkAccountConfig, TrunkConfig } from '../config/trunk-schema.js';

/** The validated `trunk:` config; the accounts' keys may be absent (the first account alone, as before them). */
export type TrunkInput = Omit<TrunkConfig, 'number' | 'accounts'> & Partial<Pick<TrunkConfig, 'number' | 'accounts'>>;

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
  /** The account's own number: the number called on its contact ('' = P-Called-Party-ID, else To). */
  number: string;
  /** `sip:username@domain`. */
  aor: string;
  /** The AOR's domain (TRUNK_DOMAIN, else the registrar's host). */
  domain: string;
  credentials: { username: string; password: string };
  /** Where this account's credentials are set, for the error that says to check them. */
  credentialsHint: string;
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

/** The first account's (`trunk:` itself); null when registration is off (no registrar). */
export function trunkSettings(trunk: TrunkInput): TrunkSettings | null {
  return trunkAccounts(trunk)[0] ?? null;
}

/**
 * Every account, the first (`trunk:` itself) first; each further one shares the registrar, the Contact's host, the
 * carrier's addresses, the keepalive and the backoff, and the domain and expiry unless it gives its own. Empty when
 * registration is off.
 */
export function trunkAccounts(trunk: TrunkInput): TrunkSettings[] {
  if (trunk.registrar === '') return [];
  const registrar = parseRegistrar(trunk.registrar);
  const first = account(trunk, registrar, {
    username: trunk.username,
    password: trunk.password,
    authUsername: trunk.authUsername,
    number: trunk.number ?? '',
    domain: trunk.domain,
    expires: trunk.expires,
  });
  return [first, ...(trunk.accounts ?? []).map((a, i) => account(trunk, registrar, a, i + 1))];
}

/** The settings naming account `index` (0: `trunk:` itself), with their environment variables where there are some. */
function credentialsHint(index: number): string {
  if (index === 0) return 'TRUNK_USERNAME, TRUNK_AUTH_USERNAME and TRUNK_PASSWORD';
  const key = `trunk.accounts.${index - 1}`;
  const n = index + 1;
  return n <= 9
    ? `${key}'s username, authUsername and password (TRUNK_${n}_USERNAME, TRUNK_${n}_AUTH_USERNAME, TRUNK_${n}_PASSWORD)`
    : `${key}'s username, authUsername and password`;
}

function account(trunk: TrunkInput, registrar: RegistrarAddress, a: TrunkAccountConfig, index = 0): TrunkSettings {
  const hostInUri = registrar.host.includes(':') ? `[${registrar.host}]` : registrar.host;
  const domain = a.domain !== '' ? a.domain : trunk.domain !== '' ? trunk.domain : hostInUri;
  return {
    registrar,
    username: a.username,
    number: a.number,
    aor: `${registrar.scheme}:${a.username}@${domain}`,
    domain,
    credentials: {
      username: a.authUsername !== '' ? a.authUsername : a.username,
      password: a.password,
    },
    credentialsHint: credentialsHint(index),
    expires: a.expires ?? trunk.expires,
    contactHost: trunk.contactHost,
    inboundFrom: trunk.inboundFrom,
    keepaliveMs: trunk.keepaliveSeconds * 1000,
    retry: { minMs: trunk.retry.minSeconds * 1000, maxMs: trunk.retry.maxSeconds * 1000 },
  };
}
