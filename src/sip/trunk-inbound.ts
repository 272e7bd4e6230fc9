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
import { calledPartyUris, trunkCalledUser, type TrunkUsers } from '../callerid/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { trunkUsersOf, type TrunkSettings } from '../trunk/settings.js';
import { headerSource, uriUser } from './request-headers.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';
import { FORBIDDEN } from './verdict-to-sip.js';

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
  return { users: trunkUsersOf(accounts), from, refused, refusedByAccount, logged: new Map() };
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
  now: number,
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
  const last = inbound.logged.get(source);
  if (last === undefined || now - last > 60_000) {
    if (inbound.logged.size > 1000) inbound.logged.clear();
    inbound.logged.set(source, now);
    logger.warn(
      { source, account, method: req.method, callId: req.get('Call-ID') ?? '' },
      `request to the registered contact from outside ${setting} refused (403)`,
    );
  }
  res.send(FORBIDDEN);
  return true;
}

/** The DID to put in the Request-URI towards the PBX, for a call to a registered contact; null otherwise. */
export function trunkForwardUser(inbound: TrunkInbound | undefined, req: SrfRequest): string | null {
  return inbound === undefined ? null : trunkCalledUser(headerSource(req), inbound.users);
}
