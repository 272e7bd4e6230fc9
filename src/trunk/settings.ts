/**
 * The registration trunk's settings, derived once from the validated config: the registrar's parts, the AOR, the
 * credentials and the timing. Pure.
 */
import { trunkUsers, type TrunkUsers } from '../callerid/index.js';
import type { TrunkAccountConfig, TrunkConfig } from '../config/trunk-schema.js';
import { readHostPort, type HostPortProblem } from './host-port.js';

/** A further account as validated; the keys of the other-carrier form may be absent (the same carrier). */
export type TrunkAccountInput = Omit<TrunkAccountConfig, 'registrar' | 'contactHost' | 'trunkUri'> &
  Partial<Pick<TrunkAccountConfig, 'registrar' | 'contactHost' | 'trunkUri'>>;

/** The validated `trunk:` config; the accounts' keys may be absent (the first account alone, as before them). */
export type TrunkInput = Omit<TrunkConfig, 'number' | 'accounts'> &
  Partial<Pick<TrunkConfig, 'number'>> & { accounts?: readonly TrunkAccountInput[] };

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
  /** 0 for the first account (`trunk:` itself), i + 1 for trunk.accounts[i]. */
  index: number;
  registrar: RegistrarAddress;
  /** At the first account's registrar (the same carrier), or at its own (trunk.accounts[i].registrar). */
  sameCarrier: boolean;
  /** User of the AOR. */
  username: string;
  /**
   * User of our Contact, so the Request-URI user of the calls its carrier sends to the registered contact: what tells
   * an account's calls apart (its number, its carrier's addresses), and its key in metrics, /readyz and the log. The
   * user name, but `<user name>-<line>` (`0212345678-2` for trunk.accounts.0) for an account at another carrier whose
   * user name an earlier account has: both carriers would send their calls to the same Request-URI.
   */
  contactUser: string;
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
  /** Its carrier's addresses: calls to its contact from elsewhere get 403; empty = from anyone. */
  inboundFrom: readonly string[];
  /**
   * Where its outbound calls go (trunk.accounts[i].trunkUri, TRUNK_2_URI); '' = the first carrier's
   * (pbx.outbound.trunkUri, else the registrar) at the same carrier, its own registrar at another. '' for the first
   * account: pbx.outbound.trunkUri is its.
   */
  trunkUri: string;
  keepaliveMs: number;
  retry: { minMs: number; maxMs: number };
}

const TRANSPORTS: readonly SipTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** Reads `sip:host[:port][;params]`, or says what is wrong with its host and port (readHostPort's problem). */
function readRegistrar(uri: string): RegistrarAddress | HostPortProblem {
  const m = /^(sips?):([^;?]*)([^?]*)/i.exec(uri.trim());
  if (m === null) return { problem: 'expected a sip: or sips: URI' };
  const at = readHostPort(m[2] ?? '');
  if ('problem' in at) return at;
  const scheme = (m[1] ?? 'sip').toLowerCase() as 'sip' | 'sips';
  const params = m[3] ?? '';
  const transportParam = /;transport=([A-Za-z]+)/i.exec(params)?.[1]?.toLowerCase() as SipTransport | undefined;
  const transport: SipTransport =
    transportParam !== undefined && TRANSPORTS.includes(transportParam)
      ? transportParam
      : scheme === 'sips'
        ? 'tls'
        : 'udp';
  return { uri: uri.trim(), scheme, host: at.host, port: at.port, transport };
}

/** What is wrong with a registrar URI's scheme, host or port, or null when it reads: the schema's check. */
export function registrarProblem(uri: string): string | null {
  const read = readRegistrar(uri);
  return 'problem' in read ? read.problem : null;
}

/** Reads `sip:host[:port][;params]` (validated by the schema with registrarProblem: no user part). */
export function parseRegistrar(uri: string): RegistrarAddress {
  const read = readRegistrar(uri);
  if ('problem' in read) throw new Error(`not a registrar URI: ${uri}: ${read.problem}`);
  return read;
}

/** The first account's (`trunk:` itself); null when registration is off (no registrar). */
export function trunkSettings(trunk: TrunkInput): TrunkSettings | null {
  return trunkAccounts(trunk)[0] ?? null;
}

/**
 * Every account, the first (`trunk:` itself) first. A further one is at the first's registrar unless it names its
 * own (another carrier); at the same carrier it takes trunk.domain, contactHost and inboundFrom unless it gives its
 * own, at another its domain is its registrar's host unless given (trunk.domain is the first carrier's) and
 * contactHost is trunk's unless given. All share the keepalive and the backoff; expires is trunk.expires unless
 * given. Empty when registration is off.
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
  const all = [first, ...(trunk.accounts ?? []).map((a, i) => account(trunk, registrar, a, i + 1))];
  const users = contactUsers(all.map((a) => a.username));
  for (const [i, a] of all.entries()) a.contactUser = users[i] ?? a.username;
  return all;
}

/**
 * Each account's Contact user, in the accounts' order (`trunk:` first, then trunk.accounts): its user name, but
 * `<user name>-<line>` (line 1 = `trunk:`) for an account whose user name an earlier account has, at another carrier
 * (the config refuses one user name twice at one carrier). The config's check of clashes (trunk-schema.ts) and the
 * settings both take it from here.
 */
export function contactUsers(usernames: readonly string[]): string[] {
  const taken = new Set<string>();
  return usernames.map((username, index) => {
    const user = taken.has(username) ? `${username}-${index + 1}` : username;
    taken.add(username);
    return user;
  });
}

/** The settings naming account `index` (0: `trunk:` itself), with their environment variables where there are some. */
function credentialsHint(index: number): string {
  if (index === 0) return 'TRUNK_USERNAME, TRUNK_AUTH_USERNAME and TRUNK_PASSWORD';
  const key = `trunk.accounts.${index - 1}`;
  const n = index + 1;
  return n <= 4
    ? `${key}'s username, authUsername and password (TRUNK_${n}_USERNAME, TRUNK_${n}_AUTH_USERNAME, TRUNK_${n}_PASSWORD)`
    : `${key}'s username, authUsername and password`;
}

function hostInUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function account(trunk: TrunkInput, first: RegistrarAddress, a: TrunkAccountInput, index = 0): TrunkSettings {
  const own = a.registrar !== undefined && a.registrar !== '' && a.registrar.trim() !== first.uri;
  const registrar = own && a.registrar !== undefined ? parseRegistrar(a.registrar) : first;
  const inherited = own ? hostInUri(registrar.host) : trunk.domain !== '' ? trunk.domain : hostInUri(registrar.host);
  const domain = a.domain !== '' ? a.domain : inherited;
  return {
    index,
    registrar,
    sameCarrier: !own,
    username: a.username,
    contactUser: a.username,
    number: a.number,
    aor: `${registrar.scheme}:${a.username}@${domain}`,
    domain,
    credentials: {
      username: a.authUsername !== '' ? a.authUsername : a.username,
      password: a.password,
    },
    credentialsHint: credentialsHint(index),
    expires: a.expires ?? trunk.expires,
    contactHost: a.contactHost !== undefined && a.contactHost !== '' ? a.contactHost : trunk.contactHost,
    inboundFrom: 'inboundFrom' in a && a.inboundFrom !== undefined ? a.inboundFrom : own ? [] : trunk.inboundFrom,
    trunkUri: a.trunkUri ?? '',
    keepaliveMs: trunk.keepaliveSeconds * 1000,
    retry: { minMs: trunk.retry.minSeconds * 1000, maxMs: trunk.retry.maxSeconds * 1000 },
  };
}

/**
 * What the called party is read with (callerid's trunkUsers): each account's Contact user, which its carrier's calls
 * come to, and its number.
 */
export function trunkUsersOf(accounts: readonly TrunkSettings[]): TrunkUsers {
  return trunkUsers(accounts.map((a) => ({ username: a.contactUser, number: a.number })));
}
