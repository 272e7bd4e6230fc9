/**
 * The executors of the plans that stop a call: ring, refuse, the recorded message in early media or answered, and
 * answer-then-hang-up. Each returns what happened, for the register and the log; none decides what to send: a
 * fallback is sent only where the plan names it (the offer cannot be answered, no port free).
 */
import { randomInt } from 'node:crypto';
import type Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Announcer, PlayResult, RecordingCatalog, RecordingChoice } from '../media/index.js';
import { readOffer, writeAnswer } from '../media/index.js';
import type { CallLifecycle } from './call-state.js';
import { uriUser } from './request-headers.js';
import type { SrfRequest } from './srf-augment.js';
import { sendAnswer } from './srf-internals.js';
import type { CallOutcome } from './call-plan.js';
import { CANCELLED, OK, RINGING, SESSION_PROGRESS, type Refusal, type SipPlan } from './verdict-to-sip.js';

export interface RefusalDeps {
  announcer: Announcer | null;
  catalog: RecordingCatalog | null;
  /** The address written in SDP answers (MEDIA_ADDRESS), for hang-up answers without media. */
  mediaAddress: string;
}

export interface ActContext {
  req: SrfRequest;
  res: Srf.SrfResponse;
  call: CallLifecycle;
  /** The call's logger, made at its first use (handle-request.ts: not before the answer). */
  log: () => Logger;
  deps: RefusalDeps;
  choice: RecordingChoice;
}

/** How long to wait for the caller's ACK before sending BYE on a dialog we answered (ms). */
const ACK_WAIT_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Contact for our early dialog (183): the DID at the address drachtio-server received the INVITE on. */
function earlyContact(req: SrfRequest): string {
  const user = uriUser(req.uri ?? '');
  const hostport =
    req.receivedOn ?? /@([^;>]+)/.exec(req.uri ?? '')?.[1] ?? /^sips?:([^;>]+)/.exec(req.uri ?? '')?.[1] ?? '';
  return `<sip:${user !== '' ? `${user}@` : ''}${hostport}>`;
}

/** The caller left before the end (cancelled, hung up, or drachtio-server could not deliver our answer): `sent` says when. */
function callerLeft(sent: string, playedMs: number | null, finalStatus: number | null = CANCELLED): CallOutcome {
  return { outcome: 'cancelled', finalStatus, playedMs, hungUpBy: 'caller', sent };
}

/** 180 Ringing, then wait; false when the caller cancelled meanwhile. */
export async function ring(ms: number, ctx: ActContext): Promise<boolean> {
  if (!ctx.call.moveTo('ringing')) return false;
  let cancelled = (): void => undefined;
  const cancel = new Promise<void>((resolve) => (cancelled = resolve));
  ctx.call.onCancel(() => cancelled());
  try {
    await sendAnswer(ctx.res, RINGING.status, RINGING.reason);
  } catch (err) {
    ctx.log().warn({ err }, '180 Ringing not delivered');
  }
  await Promise.race([sleep(ms), cancel]);
  ctx.call.onCancel(null);
  return ctx.call.state === 'ringing';
}

export async function refuse(refusal: Refusal, ctx: ActContext, sent: string): Promise<CallOutcome> {
  ctx.call.moveTo('refusing');
  try {
    await sendAnswer(ctx.res, refusal.status, refusal.reason, { headers: refusal.headers });
  } catch (err) {
    // NOK from drachtio-server: typically the caller cancelled as we answered.
    ctx.log().warn({ err }, 'refusal not delivered');
    ctx.call.moveTo('done');
    return callerLeft(`${sent} (not delivered)`, null, null);
  }
  ctx.call.moveTo('done');
  return { outcome: 'rejected', finalStatus: refusal.status, playedMs: null, hungUpBy: null, sent };
}

export async function announce(plan: Extract<SipPlan, { kind: 'announce' }>, ctx: ActContext): Promise<CallOutcome> {
  const { announcer, catalog } = ctx.deps;
  if (!announcer || !catalog) return refuse(plan.fallback, ctx, `reject ${plan.fallback.status} (announcements off)`);
  const prepared = await announcer.prepare(ctx.req.body, catalog.pick(ctx.choice));
  if (!prepared.ok) {
    ctx.log().info({ problem: prepared.problem }, 'announcement not possible; refusing instead');
    return refuse(plan.fallback, ctx, `reject ${plan.fallback.status} (announcement: ${prepared.problem})`);
  }
  const announcement = prepared.announcement;
  if (!ctx.call.moveTo('announcing')) {
    announcement.close();
    return callerLeft('cancelled before the announcement', 0);
  }
  const offer = announcement.offer;
  const mediaLog = {
    codec: offer.codec,
    ptime: offer.ptimeMs,
    remote: `${offer.address}:${offer.port}`,
    port: announcement.port,
  };

  if (plan.mode === 'early') {
    ctx.call.onCancel(() => announcement.stop('caller'));
    try {
      await sendAnswer(ctx.res, SESSION_PROGRESS.status, SESSION_PROGRESS.reason, {
        headers: { Contact: earlyContact(ctx.req), 'Content-Type': 'application/sdp' },
        body: announcement.answerSdp,
      });
    } catch (err) {
      announcement.close();
      ctx.log().warn({ err }, '183 Session Progress not delivered');
      return callerLeft('cancelled before the announcement', 0);
    }
    ctx.log().debug(mediaLog, 'announcing in early media');
    const played = await announcement.play();
    ctx.call.onCancel(null);
    if (ctx.call.state === 'cancelled' || played.endedBy === 'caller') {
      return callerLeft('announce-early (caller hung up)', played.playedMs);
    }
    const after = plan.after as Refusal;
    const result = await refuseAfterAnnouncement(after, ctx, played);
    return result;
  }

  // Answered: 200 OK with our SDP, play, then BYE (unless the caller hung up first).
  let dialog: Srf.Dialog;
  ctx.call.onCancel(() => announcement.stop('caller'));
  try {
    dialog = await ctx.req.srf.createUAS(ctx.req, ctx.res, { localSdp: announcement.answerSdp });
  } catch (err) {
    announcement.close();
    ctx.log().warn({ err }, '200 OK for the announcement not delivered');
    return callerLeft('cancelled before the announcement', 0);
  }
  ctx.call.onCancel(null);
  const acked = ackOf(dialog);
  let callerHungUp = false;
  dialog.on('destroy', () => {
    callerHungUp = true;
    announcement.stop('caller');
  });
  ctx.log().debug(mediaLog, 'announcing in an answered call');
  const played = await announcement.play();
  if (!callerHungUp) await bye(dialog, acked, ctx.log());
  ctx.call.moveTo('done');
  return {
    outcome: 'rejected',
    finalStatus: OK,
    playedMs: played.playedMs,
    hungUpBy: callerHungUp ? 'caller' : 'crocetta',
    sent: `announce-answer (${callerHungUp ? 'caller hung up' : 'BYE'})`,
  };
}

async function refuseAfterAnnouncement(after: Refusal, ctx: ActContext, played: PlayResult): Promise<CallOutcome> {
  try {
    await sendAnswer(ctx.res, after.status, after.reason, { headers: after.headers });
  } catch (err) {
    ctx.log().warn({ err }, 'final refusal after the announcement not delivered');
    ctx.call.moveTo('done');
    return callerLeft('announce-early (caller hung up)', played.playedMs);
  }
  ctx.call.moveTo('done');
  return {
    outcome: 'rejected',
    finalStatus: after.status,
    playedMs: played.playedMs,
    hungUpBy: 'crocetta',
    sent: `announce-early then ${after.status}`,
  };
}

function ackOf(dialog: Srf.Dialog): Promise<void> {
  return new Promise((resolve) => dialog.once('ack', () => resolve()));
}

/** BYE once the caller ACKed our 200 (RFC 3261 §15: not before), or after ACK_WAIT_MS without it. */
async function bye(dialog: Srf.Dialog, acked: Promise<void>, log: Logger): Promise<void> {
  await Promise.race([acked, sleep(ACK_WAIT_MS)]);
  await new Promise<void>((resolve) => {
    try {
      dialog.destroy(undefined, (err: unknown) => {
        if (err) log.warn({ err }, 'BYE not delivered');
        resolve();
      });
    } catch (err) {
      log.warn({ err }, 'BYE not delivered');
      resolve();
    }
  });
}

/** 200 OK with an SDP answer that carries no media (inactive, discard port), then BYE at once. */
export async function hangUp(fallback: Refusal, ctx: ActContext): Promise<CallOutcome> {
  const read = readOffer(ctx.req.body);
  if (!read.ok) return refuse(fallback, ctx, `reject ${fallback.status} (hangup: ${read.problem})`);
  if (!ctx.call.moveTo('announcing')) {
    return callerLeft('cancelled before the answer', null);
  }
  const localSdp = writeAnswer(read.offer, {
    address: ctx.deps.mediaAddress,
    port: 9,
    sessionId: randomInt(1, 2 ** 31),
    direction: 'inactive',
  });
  let dialog: Srf.Dialog;
  try {
    dialog = await ctx.req.srf.createUAS(ctx.req, ctx.res, { localSdp });
  } catch (err) {
    ctx.log().warn({ err }, '200 OK for the hang-up not delivered');
    return callerLeft('cancelled before the answer', null);
  }
  const acked = ackOf(dialog);
  let callerHungUp = false;
  dialog.on('destroy', () => (callerHungUp = true));
  await Promise.race([acked, sleep(ACK_WAIT_MS)]);
  if (!callerHungUp) await bye(dialog, Promise.resolve(), ctx.log());
  ctx.call.moveTo('done');
  return {
    outcome: 'rejected',
    finalStatus: OK,
    playedMs: 0,
    hungUpBy: callerHungUp ? 'caller' : 'crocetta',
    sent: 'hangup (200 then BYE)',
  };
}
