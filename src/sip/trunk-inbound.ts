/**
 * Calls the registration trunk sends to our registered contacts. A request is "to a registered contact" when its
 * Request-URI user is one account's user name (TRUNK_USERNAME, or a trunk.accounts entry's, exactly as we put it in
 * that account's Contact); the host is not compared, as drachtio-server only receives on its own addresses and NAT
 * may rewrite it. Such calls are to that account's number, else carry the DID elsewhere
 * (src/callerid/called-number.ts) and, with TRUNK_INBOUND_FROM set, are refused with 403 unless they come from one
 * of the carrier's addresses. Other calls are not touched here.
 */
import { BlockList, isIP } from 'node:net';
import { Counter } from 'prom-client';
import { calledPartyUris, trunkCalledUser, trunkUsers, type TrunkUsers } from '../callerid/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { TrunkSettings } from '../trunk/settings.js';
import { headerSource } from './request-headers.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';
import { FORBIDDEN } from './verdict-to-sip.js';

export interface TrunkInbound {
  /** Every account's user name and number. */
  users: TrunkUsers;
  /** The carrier's addresses; null = calls to the contact are taken from anyone. */
  from: BlockList | null;
  refused: Counter;
  /** Source addresses logged in the last minute (a scanner's flood gets one line per address and minute). */
  logged: Map<string, number>;
}

/** `accounts`: every account, the first first (they share trunk.inboundFrom). */
export function createTrunkInbound(accounts: readonly TrunkSettings[], metrics: Metrics): TrunkInbound {
  let from: BlockList | null = null;
  const inboundFrom = accounts[0]?.inboundFrom ?? [];
  if (inboundFrom.length > 0) {
    from = new BlockList();
    for (const item of inboundFrom) {
      const [address = '', bits] = item.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) from.addAddress(address, family);
      else from.addSubnet(address, Number(bits), family);
    }
  }
  const refused = new Counter({
    name: 'crocetta_trunk_inbound_refused_total',
    help: 'Requests to the registered contact refused with 403 because they came from outside TRUNK_INBOUND_FROM',
    registers: [metrics.registry],
  });
  return { users: trunkUsers(accounts), from, refused, logged: new Map() };
}

export function toTrunkContact(inbound: TrunkInbound | undefined, req: SrfRequest): boolean {
  return inbound !== undefined && calledPartyUris(headerSource(req), inbound.users).toTrunkContact;
}

function allowed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Refuses (403) a request to the registered contact from an address outside TRUNK_INBOUND_FROM. True when it did:
 * the request is then finished, unscreened and not registered (it is not a call from the carrier).
 */
export function refusedStranger(
  inbound: TrunkInbound | undefined,
  req: SrfRequest,
  res: SrfResponse,
  logger: Logger,
  now: number,
): boolean {
  if (inbound?.from == null) return false;
  const source = req.source_address ?? '';
  try {
    if (!toTrunkContact(inbound, req) || allowed(inbound.from, source)) return false;
  } catch (err) {
    logger.error(
      { err },
      'could not check the source of a request to the registered contact; screening it (fail open)',
    );
    return false;
  }
  inbound.refused.inc();
  const last = inbound.logged.get(source);
  if (last === undefined || now - last > 60_000) {
    if (inbound.logged.size > 1000) inbound.logged.clear();
    inbound.logged.set(source, now);
    logger.warn(
      { source, method: req.method, callId: req.get('Call-ID') ?? '' },
      'request to the registered contact from outside TRUNK_INBOUND_FROM refused (403)',
    );
  }
  res.send(FORBIDDEN);
  return true;
}

/** The DID to put in the Request-URI towards the PBX, for a call to a registered contact; null otherwise. */
export function trunkForwardUser(inbound: TrunkInbound | undefined, req: SrfRequest): string | null {
  return inbound === undefined ? null : trunkCalledUser(headerSource(req), inbound.users);
}
