/**
 * The PBX's own outbound calls, when its outbound trunk points at drachtio (`pbx.outbound`): passed on to the
 * carrier unscreened and untouched, and each number the office calls is learned as "called by us" (a safety net:
 * that number is trusted for `calledByUsDays`). Only INVITEs from the PBX's addresses take this path; everything
 * else is screened as before. A fault here never stops the call: learning is best effort, the proxy always runs.
 */
import { isIP } from 'node:net';
import { normalizeNumber, sipUriAddress } from '../callerid/index.js';
import type { Logger } from '../log.js';
import type { Clock } from '../screening/types.js';
import type { Register } from '../store/register/types.js';
import type { SrfRequest, SrfResponse } from './srf-augment.js';
import { uriUser, withUser } from './request-headers.js';
import { accountFor, type OutboundAccounts } from './outbound-account.js';
import { bridgeToCarrier } from './outbound-b2bua.js';
import type { ForwardReaper } from './forward-reaper.js';
import { proxyReleasably } from './srf-internals.js';

export interface OutboundSettings {
  /** The carrier; the dialled number becomes its user part. With a registration trunk, each account's `uri`. */
  trunkUri: string;
  /** Source addresses of the PBX (IPs): those configured, and the registered PBX's while it is registered. */
  fromAddresses: { has(address: string): boolean };
  /** Outside-line digits the PBX dials before the number (e.g. "0"), removed before learning. */
  stripPrefix: string;
  defaultCountry: string;
  recordRoute: boolean;
  /**
   * A registration trunk: the carrier challenges outbound INVITEs, so calls go through drachtio-srf's B2BUA with
   * an account's credentials (outbound-b2bua.ts) instead of the proxy: the account whose number the PBX presents as
   * caller ID, else the first (outbound-account.ts), to that account's carrier. Absent: the proxy (an IP trunk needs
   * no more).
   */
  registration?: OutboundAccounts;
  /** How long the ACK of a relayed re-INVITE without SDP may take before the call is ended (pbx.ackTimeout), ms. */
  ackTimeoutMs?: number;
}

/** The PBX's addresses: those configured, else the host of the PBX's URI when it is an IP address. */
export function outboundSources(pbxUri: string, configured: readonly string[]): string[] {
  if (configured.length > 0) return [...configured];
  const host = sipUriAddress(pbxUri)?.host ?? '';
  return isIP(host) !== 0 ? [host] : [];
}

/** The key under which a dialled number is learned (E.164), or null when it is not a valid number. */
export function dialledKey(user: string | null, stripPrefix: string, defaultCountry: string): string | null {
  if (user === null || user === '') return null;
  const text = stripPrefix !== '' && user.startsWith(stripPrefix) ? user.slice(stripPrefix.length) : user;
  const n = normalizeNumber(text, defaultCountry);
  return n.e164 !== null && n.valid ? n.e164 : null;
}

export function isOutbound(settings: OutboundSettings, req: SrfRequest): boolean {
  return settings.trunkUri !== '' && settings.fromAddresses.has(req.source_address ?? '');
}

export async function passOutbound(
  req: SrfRequest,
  res: SrfResponse,
  deps: { outbound: OutboundSettings; register: Register; clock: Clock; logger: Logger; reaper: ForwardReaper },
): Promise<void> {
  const s = deps.outbound;
  const dialled = uriUser(req.uri ?? '');
  const log = deps.logger.child({ callId: req.get('Call-ID') ?? '', kind: 'outbound', dialled });
  let learned: string | null = null;
  try {
    learned = dialledKey(dialled, s.stripPrefix, s.defaultCountry);
    if (learned !== null) deps.register.noteCalledByUs(learned, deps.clock.now());
  } catch (err) {
    log.warn({ err }, 'could not learn the number called; the call goes on');
  }
  log.info({ learned, via: s.registration ? 'b2bua' : 'proxy' }, 'outbound call to the carrier');
  if (s.registration) {
    const account = accountFor(
      s.registration,
      [req.get('P-Asserted-Identity'), req.get('P-Preferred-Identity'), req.get('From')],
      s.defaultCountry,
    );
    if (s.registration.count > 1)
      log.info({ account: account.username, carrier: account.uri }, 'outbound call: carrier account');
    const { aor, domain, auth, hint } = account;
    // The account's carrier: its own trunkUri (TRUNK_2_URI…), else TRUNK_URI (else the registrar) at the first
    // carrier, its own registrar at another.
    const target = withUser(account.uri, dialled);
    const { ackTimeoutMs } = s;
    const trunk = { target, dialled, aor, domain, auth, hint, ackTimeoutMs };
    const finalStatus = await bridgeToCarrier(req.srf, req, res, trunk, log);
    log.info({ finalStatus }, 'outbound call done');
    return;
  }
  // drachtio-server never reports a proxied INVITE the PBX cancelled: after pbx.finalTimeout it is let go of.
  const proxy = proxyReleasably(req, {
    destination: withUser(s.trunkUri, dialled),
    remainInDialog: s.recordRoute,
    headers: {},
  });
  const unwatch = deps.reaper.watch(() => {
    proxy.release();
    log.info('outbound call: no news from drachtio-server in time (cancelled by the PBX?); forgotten');
  });
  try {
    const result = await proxy.result;
    if (result !== null) log.info({ finalStatus: result.finalStatus ?? null }, 'outbound call done');
  } catch (err) {
    log.warn({ err }, 'outbound call could not be proxied to the carrier');
  } finally {
    unwatch();
  }
}
