/**
 * Forwarding one request to the PBX (a stateful proxy, with Record-Route for calls, or a 302 redirect) and
 * learning, once, how it ended:
 * - the PBX's final answer, as drachtio-server's proxy reports it;
 * - `timeout` with 408 when the proxy ends without any final answer from the PBX: drachtio-server then answered
 *   the caller 408 itself, after its Timer B (32 s, the PBX never answered) or Timer C (185 s after a provisional
 *   answer). drachtio-server ignores the proxy command's finalTimeout (addProxy reads only the provisional one), and
 *   tells the app neither the PBX's provisionals nor its 408: the dashboard tells a call that rang (Timer C) from one
 *   the PBX never answered (Timer B) by when the outcome came (src/store/register/unreached.ts RANG_OUT_MS);
 * - `cancelled` when drachtio's CDR tells of the caller's CANCEL while the PBX rang (src/sip/forwarded-calls.ts);
 * - `timeout` without a status when nothing at all was heard within `pbx.finalTimeout` (a cancel without CDRs, a
 *   proxy drachtio-server failed without a word, a lost connection): the reaper ends the attempt.
 * In the last two cases drachtio-srf's pending proxy callback is released, so the call holds no memory.
 */
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Clock } from '../screening/types.js';
import type { AttemptKind, AttemptOutcome } from '../store/register/types.js';
import type { ForwardedCalls } from './forwarded-calls.js';
import type { ForwardReaper } from './forward-reaper.js';
import { withUser } from './request-headers.js';
import { reasonPhrase } from './sip-status-codes.js';
import type { SrfRequest } from './srf-augment.js';
import { proxyReleasably, sendAnswer } from './srf-internals.js';
import {
  CANCELLED,
  markedHeaders,
  outcomeOfPbxAnswer,
  REDIRECT,
  TEMPORARILY_UNAVAILABLE,
  type RefusalMark,
} from './verdict-to-sip.js';

export interface ForwardSettings {
  /** Where calls go: PBX_URI; '' when the PBX registers to crocetta (then `registered` says where). */
  pbxUri: string;
  /** The registered PBX's address for a call to this DID now, or null while none is registered. */
  registered?: (did: string | null) => string | null;
  /** Send to the PBX's URI as it is, its own user part kept (pbx.register.requestUser: contact); else the DID is put in. */
  keepPbxUser?: boolean;
  mode: 'proxy' | 'redirect';
  recordRoute: boolean;
  /** PBX final codes that mean the office refused the caller. */
  refusalCodes: readonly number[];
  /** Passed to drachtio-server with each proxy (drachtio syntax, `60s`); see the module comment. */
  finalTimeout: string;
}

export interface ForwardDeps {
  forward: ForwardSettings;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Forwarded calls followed through drachtio-server's CDRs. */
  forwarded: ForwardedCalls;
  /** Ends forwards nothing was heard of within pbx.finalTimeout. */
  reaper: ForwardReaper;
  /** Counts calls answered 480 because no PBX is registered (pbx.uri empty). */
  noPbx?: { inc(): void };
}

export interface ForwardRequest {
  kind: AttemptKind;
  req: SrfRequest;
  res: Srf.SrfResponse;
  /**
   * The request's Call-ID as the handler read it from its header table (request-headers.ts; '' without one): the key
   * its CDRs are matched by. Not read again with drachtio-srf's `req.get`, which lower-cases the header names and
   * reads process.env for each one it passes (0.4–0.5 µs for bench:sip's INVITE, against 0.03–0.08 from the table).
   */
  callId: string;
  /** The Request-URI user crocetta vouches for (src/sip/forward-target.ts), put in the PBX's URI; null: none. */
  user: string | null;
  /**
   * Where it goes, as the plan worked it out (call-plan.ts): the PBX's URI, or null when no PBX was registered (480);
   * absent: asked here (pbxDestination), as the handler's last-resort forward does.
   */
  destination?: string | null | undefined;
  /** Headers for the forwarded request (the tag). */
  headers: Record<string, string>;
  /**
   * Its refusals carry crocetta's mark (verdict-to-sip.ts marksRefusals): the 480 with no PBX registered; a RefusalMark
   * is read then only.
   */
  marked: boolean | RefusalMark;
  /** The call's logger, made at its first use (handle-request.ts: not before the answer). */
  log: () => Logger;
  /**
   * The attempt (record()'s promise), for the talk time of an answered call (Record-Route), asked for when the PBX
   * answered; null when it was not written. A function: answering first, the attempt is recorded after the proxy left.
   */
  recorded: () => Promise<number> | null;
  /** How it ended, once; null when nobody needs to know (fail-open forwards without a register). */
  onEnd: ((outcome: AttemptOutcome, finalStatus: number | null) => void) | null;
}

/** Sends a final response, resolving when drachtio-server took it (or said NOK, e.g. after a CANCEL). */
export function sendFinal(res: Srf.SrfResponse, status: number, headers: Record<string, string> = {}): Promise<void> {
  return sendAnswer(res, status, reasonPhrase(status), { headers });
}

/**
 * Where a request for this DID goes now: PBX_URI with the DID as its user, or the registered PBX's contact (looked
 * up by the DID); null while no PBX is registered to crocetta.
 */
export function pbxDestination(forward: ForwardSettings, user: string | null): string | null {
  const pbxUri = forward.pbxUri !== '' ? forward.pbxUri : (forward.registered?.(user) ?? null);
  if (pbxUri === null) return null;
  return forward.keepPbxUser ? pbxUri : withUser(pbxUri, user);
}

/** Proxies (or redirects) the request to the PBX; resolves once it ended, however it ended. */
export async function forwardToPbx(deps: ForwardDeps, f: ForwardRequest): Promise<void> {
  let ended = false;
  const end = (outcome: AttemptOutcome, finalStatus: number | null): boolean => {
    if (ended) return false;
    ended = true;
    f.onEnd?.(outcome, finalStatus);
    return true;
  };

  const target = f.destination !== undefined ? f.destination : pbxDestination(deps.forward, f.user);
  if (target === null) {
    // The PBX registers to crocetta and is not registered now: a final answer, never a caller left hanging.
    deps.noPbx?.inc();
    deps.logger.warn({ callId: f.callId }, 'no PBX registered to crocetta: answered 480 Temporarily Unavailable');
    await sendFinal(f.res, TEMPORARILY_UNAVAILABLE, markedHeaders(TEMPORARILY_UNAVAILABLE, f.marked)).catch(
      (err: unknown) => deps.logger.warn({ err }, '480 not delivered'),
    );
    end('failed', TEMPORARILY_UNAVAILABLE);
    return;
  }

  if (deps.forward.mode === 'redirect' && f.kind === 'call') {
    try {
      await sendFinal(f.res, REDIRECT, Object.assign({ Contact: `<${target}>` }, f.headers));
      end('forwarded', REDIRECT);
    } catch (err) {
      deps.logger.warn({ err }, 'redirect not delivered');
      end('cancelled', null);
    }
    return;
  }

  const proxy = proxyReleasably(f.req, {
    destination: target,
    remainInDialog: f.kind === 'call' && deps.forward.recordRoute,
    headers: f.headers,
    // drachtio-srf sends `opts.finalTimeout || ''`: an empty one is the same as none.
    finalTimeout: deps.forward.finalTimeout,
  });
  const callId = f.callId;
  // drachtio's CDRs tell what the proxy does not: a CANCEL while the PBX rings, and (Record-Route) the talk time.
  const followed = f.kind === 'call' && callId !== '' ? deps.forwarded : undefined;
  followed?.forwarding(callId, deps.clock.now(), () => {
    if (!end('cancelled', CANCELLED)) return;
    proxy.release();
    f.log().info({ outcome: 'cancelled', finalStatus: CANCELLED }, 'caller cancelled while the PBX rang');
  });
  const unwatch = deps.reaper.watch(() => {
    if (!end('timeout', null)) return;
    const released = proxy.release();
    followed?.settled(callId, null, deps.clock.now(), null);
    deps.metrics.forwardTimeouts.inc();
    f.log().warn({ outcome: 'timeout', released, target }, 'no final answer from the PBX in time; attempt ended');
  });

  try {
    const result = await proxy.result;
    if (result === null) return; // released: the end is already known
    const { outcome, finalStatus } = outcomeOfPbxAnswer(result.finalStatus);
    if (!end(outcome, finalStatus)) return;
    if (outcome === 'timeout') deps.metrics.forwardTimeouts.inc();
    followed?.settled(callId, finalStatus, deps.clock.now(), deps.forward.recordRoute ? f.recorded() : null);
  } catch (err) {
    deps.logger.warn({ err, target }, 'proxy to the PBX failed');
    if (end('failed', null)) followed?.settled(callId, null, deps.clock.now(), null);
  } finally {
    unwatch();
  }
}
