/**
 * Calls the registration trunk sends to our registered contacts. A request is "to a registered contact" when its
 * Request-URI user is one account's Contact user (TRUNK_USERNAME, or a trunk.accounts entry's user name, exactly as we
 * put it in that account's Contact; `<user name>-<line>` for one whose user name an account at another carrier has);
 * the host is not compared, as drachtio-server only receives on its own addresses and NAT may rewrite it. Such calls
 * are to that account's number, else carry the DID elsewhere (src/callerid/called-number.ts) and, when that account's
 * carrier has its addresses listed (TRUNK_INBOUND_FROM, or an account's own inboundFrom when it is at another
 * carrier), are refused with 403 unless they come from one of them. Other calls are not touched here.
 */
import { BlockList, isIP } from 'node:net';
import { Counter } from 'prom-client';
import { calledPartyUris, sipUriHost, trunkCalledUser, type TrunkUsers } from '../callerid/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { trunkUsersOf, type TrunkSettings } from '../trunk/settings.js';
import { headerSource, uriUser } from './request-headers.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';
import { FORBIDDEN, markedHeaders, type RefusalMark } from './verdict-to-sip.js';

/** What a carrier gives in its calls, for one of the lines that share a user name (lineOf). */
export interface LineMarks {
  contactUser: string;
  /** Its carrier's addresses (inboundFrom), or null when none are listed. */
  list: BlockList | null;
  /** Its registrar's and outbound proxy's hosts, when they are IP addresses. */
  addresses: ReadonlySet<string>;
  /** Its registrar's and outbound proxy's hosts, when they are names (lower case): resolved by line-names.ts. */
  names: readonly string[];
  /** The addresses `names` resolved to last (line-names.ts replaces the set); empty until then. */
  resolved: ReadonlySet<string>;
  /** Its AOR's domain, in lower case. */
  domain: string;
}

export interface TrunkInbound {
  /** Every account's user name and number. */
  users: TrunkUsers;
  /**
   * Each account's carrier's addresses, by its Contact user (its user name, unless another carrier's account has
   * that), with the setting that lists them (for the log line); absent = calls to that contact are taken from anyone.
   */
  from: ReadonlyMap<string, { list: BlockList; setting: string }>;
  /** The total, and each account's (`account` = its user name). */
  refused: Counter;
  refusedByAccount: Counter<'account'>;
  /** Source addresses logged in the last minute (a scanner's flood gets one line per address and minute). */
  logged: Map<string, number>;
  /**
   * The user names several accounts share (lines at two carriers), each with its lines, the first (whose Contact user
   * is the user name itself) first: a call to that plain user name is told apart by lineOf. Empty for most setups.
   */
  shared: ReadonlyMap<string, readonly LineMarks[]>;
}

function blockList(addresses: readonly string[]): BlockList {
  const list = new BlockList();
  for (const item of addresses) {
    const [address = '', bits] = item.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

/** `accounts`: every account, the first first, each with its carrier's addresses (trunkAccounts()). */
export function createTrunkInbound(accounts: readonly TrunkSettings[], metrics: Metrics): TrunkInbound {
  const from = new Map<string, { list: BlockList; setting: string }>();
  // An account that takes trunk.inboundFrom (trunkAccounts() gives it that very array) shares one list with the
  // first; one that lists its own addresses (at another carrier, or at the same one) has its own.
  const lists = new Map<readonly string[], { list: BlockList; setting: string }>();
  const firstList = accounts[0]?.inboundFrom;
  for (const a of accounts) {
    if (a.inboundFrom.length === 0) continue;
    let entry = lists.get(a.inboundFrom);
    if (entry === undefined) {
      const setting = a.inboundFrom === firstList ? 'TRUNK_INBOUND_FROM' : `trunk.accounts.${a.index - 1}.inboundFrom`;
      entry = { list: blockList(a.inboundFrom), setting };
      lists.set(a.inboundFrom, entry);
    }
    from.set(a.contactUser, entry);
  }
  const refused = new Counter({
    name: 'crocetta_trunk_inbound_refused_total',
    help: "Requests to a registered contact refused with 403 because they came from outside its carrier's addresses (TRUNK_INBOUND_FROM, an account's inboundFrom): every account's",
    registers: [metrics.registry],
  });
  const refusedByAccount = new Counter({
    name: 'crocetta_trunk_account_inbound_refused_total',
    help: "Requests to this account's registered contact (its user name) refused with 403: from outside its carrier's addresses",
    labelNames: ['account'],
    registers: [metrics.registry],
  });
  for (const a of accounts) if (from.has(a.contactUser)) refusedByAccount.inc({ account: a.contactUser }, 0);
  return {
    users: trunkUsersOf(accounts),
    from,
    refused,
    refusedByAccount,
    logged: new Map(),
    shared: sharedLines(accounts, from),
  };
}

function sharedLines(
  accounts: readonly TrunkSettings[],
  from: ReadonlyMap<string, { list: BlockList }>,
): Map<string, LineMarks[]> {
  const byUser = new Map<string, LineMarks[]>();
  for (const a of accounts) {
    const hosts = [a.registrar.host, sipUriHost(a.trunkUri)].map((h) => h.toLowerCase()).filter((h) => h !== '');
    const marks: LineMarks = {
      contactUser: a.contactUser,
      list: from.get(a.contactUser)?.list ?? null,
      addresses: new Set(hosts.filter((host) => isIP(host) !== 0)),
      names: [...new Set(hosts.filter((host) => isIP(host) === 0))],
      resolved: new Set(),
      domain: a.domain.toLowerCase(),
    };
    byUser.set(a.username, [...(byUser.get(a.username) ?? []), marks]);
  }
  for (const [user, lines] of byUser) if (lines.length < 2) byUser.delete(user);
  return byUser;
}

/**
 * The Contact user of the line a call to a user name several lines share came for, when what its carrier gave tells
 * it: a carrier that sends its calls to the AOR's user (the plain user name) rather than to the Contact user it
 * registered (`<user name>-<line>`). In this order: the source address in one line's carrier addresses (inboundFrom);
 * the source address being one line's registrar or outbound proxy (given as an IP address, or a name and one of the
 * addresses it resolved to last: line-names.ts); the To or Request-URI host being one line's domain. Null when the
 * call is to no shared user name, or nothing tells (then it is the first line's, as its Request-URI says).
 */
export function lineOf(inbound: TrunkInbound, uri: string, to: string, source: string): string | null {
  const user = uriUser(uri);
  const lines = user === null ? undefined : inbound.shared.get(user);
  if (lines === undefined) return null;
  const family = isIP(source);
  const listed =
    family === 0
      ? undefined
      : lines.find((l) => l.list !== null && l.list.check(source, family === 6 ? 'ipv6' : 'ipv4'));
  const hosts = [sipUriHost(to), sipUriHost(uri)];
  const address = source.toLowerCase();
  const line =
    listed ??
    lines.find((l) => l.addresses.has(address) || l.resolved.has(address)) ??
    lines.find((l) => hosts.includes(l.domain));
  return line?.contactUser ?? null;
}

/** Some lines share a user name (lines at two carriers): toItsLine has work to do. */
export function sharesUserNames(inbound: TrunkInbound | undefined): inbound is TrunkInbound {
  return inbound !== undefined && inbound.shared.size > 0;
}

/**
 * Addresses a call to a user name two carriers' lines share to the line it came on (lineOf), by putting that line's
 * Contact user in the Request-URI as crocetta reads it (drachtio-srf's `req.uri`; nothing is sent): the number, the
 * carrier's addresses, the metrics and the PBX's Request-URI then follow the line, as for a call to that Contact.
 * Before screening and before the source is checked; only where sharesUserNames.
 */
export function toItsLine(inbound: TrunkInbound, req: SrfRequest, logger: Logger): void {
  const uri = req.uri ?? '';
  const to = req.get('To') as unknown;
  const line = lineOf(inbound, uri, typeof to === 'string' ? to : '', req.source_address ?? '');
  if (line === null || line === uriUser(uri)) return;
  req.uri = uri.replace(/^(\s*sips?:)[^@]*@/i, `$1${line}@`);
  logger.debug({ line, requestUri: uri, source: req.source_address }, 'call to the shared user name taken as its line');
}

export function toTrunkContact(inbound: TrunkInbound | undefined, req: SrfRequest): boolean {
  return inbound !== undefined && calledPartyUris(headerSource(req), inbound.users).toTrunkContact;
}

function allowed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The account whose contact `req` is to and the setting listing its carrier, when `source` is not its carrier's. */
function strangerTo(
  inbound: TrunkInbound,
  req: SrfRequest,
  source: string,
): { account: string; setting: string } | null {
  if (!toTrunkContact(inbound, req)) return null;
  const account = uriUser(req.uri ?? '') ?? '';
  const carrier = inbound.from.get(account);
  if (carrier === undefined || allowed(carrier.list, source)) return null;
  return { account, setting: carrier.setting };
}

/**
 * Refuses (403) a request to a registered contact from an address outside that account's carrier's. True when it did:
 * the request is then finished, unscreened and not registered (it is not a call from the carrier).
 */
export function refusedStranger(
  inbound: TrunkInbound | undefined,
  req: SrfRequest,
  res: SrfResponse,
  logger: Logger,
  /** The time, read when a refusal's line is due (not before every screened request's forward). */
  clock: { now(): number },
  markRefusals: boolean | RefusalMark,
): boolean {
  if (inbound === undefined || inbound.from.size === 0) return false;
  const source = req.source_address ?? '';
  let stranger: { account: string; setting: string } | null;
  try {
    stranger = strangerTo(inbound, req, source);
  } catch (err) {
    logger.error(
      { err },
      'could not check the source of a request to the registered contact; screening it (fail open)',
    );
    return false;
  }
  if (stranger === null) return false;
  const { account, setting } = stranger;
  inbound.refused.inc();
  inbound.refusedByAccount.inc({ account });
  const now = clock.now();
  const last = inbound.logged.get(source);
  if (last === undefined || now - last > 60_000) {
    if (inbound.logged.size > 1000) inbound.logged.clear();
    inbound.logged.set(source, now);
    logger.warn(
      { source, account, method: req.method, callId: req.get('Call-ID') ?? '' },
      `request to the registered contact from outside ${setting} refused (403)`,
    );
  }
  res.send(FORBIDDEN, { headers: markedHeaders(FORBIDDEN, markRefusals) });
  return true;
}

/** The DID to put in the Request-URI towards the PBX, for a call to a registered contact; null otherwise. */
export function trunkForwardUser(inbound: TrunkInbound | undefined, req: SrfRequest): string | null {
  return inbound === undefined ? null : trunkCalledUser(headerSource(req), inbound.users);
}
