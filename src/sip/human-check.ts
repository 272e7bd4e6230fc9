/**
 * The executor of a `check` plan, the human check: crocetta answers, plays a short prompt ("Per parlare con noi,
 * premete 1") and listens for the key, as RFC 4733 telephone-events in RTP and as SIP INFO, also while the prompt
 * plays.
 *
 *   200 OK (our SDP keeps the caller's telephone-event) ──▶ prompt ──▶ wait ──┬─ right key ─▶ PBX (pbx-bridge.ts)
 *                                                                             ├─ other key ─▶ NO, BYE
 *                                                                             ├─ no key ────▶ NO, BYE
 *                                                                             └─ caller BYE ─▶ over
 *
 * The result goes to the register as soon as it is known (a pass: outcome `forwarded`, as a forward's row says
 * before the PBX answers), so a remembered pass and the register do not wait for the end of an hour-long call;
 * how the call ended follows. When the check cannot run after all (no port free, too many media sessions at once)
 * nothing has been sent yet: the call is forwarded with the tag, as call-plan.ts does when it sees that earlier.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { MediaSession, Recording } from '../media/index.js';
import type { CheckResult } from '../store/register/types.js';
import type { CallOutcome } from './call-plan.js';
import type { CarryOutContext } from './carry-out.js';
import { keyOfInfo } from './dtmf-info.js';
import { connectToPbx } from './pbx-bridge.js';
import type { Leg } from './srf-augment.js';
import { CANCELLED, OK, type SipPlan } from './verdict-to-sip.js';

export interface CheckSettings {
  /** The key that passes (check.digit). */
  digit: string;
  /** Seconds to wait for it after the prompt (check.waitSeconds; `check:<seconds>` overrides). */
  waitSeconds: number;
  /** The prompt (built-in or check.file). */
  prompt: Recording;
  /** Longest NO played when the check fails (announcements.maxSeconds), ms. */
  maxNoMs: number;
  /** Once bridged: how long the ACK of a relayed re-INVITE without SDP may take (pbx.ackTimeout), ms. */
  ackTimeoutMs: number;
}

/** What the check needs besides the announcer and the NO (CarryOutContext.deps). */
export interface CheckDeps {
  /** null: the check cannot run (no media); the call is forwarded tagged. */
  settings: CheckSettings | null;
  /** Where a caller who passed goes: the PBX's URI with the DID; null while no PBX is registered to crocetta. */
  pbxTarget(): string | null;
  /** Counts each result (crocetta_checks_total). */
  counted(result: CheckResult): void;
  /** A caller who passed talked with the office this long (ms from the PBX's answer to the BYE): the talk time. */
  talked(talkMs: number): void;
}

type CheckPlan = Extract<SipPlan, { kind: 'check' }>;
type Heard = { kind: 'key'; key: string; via: 'rtp' | 'info' } | { kind: 'timeout' } | { kind: 'hung-up' };

/** The prompt is short (~6 s); this bounds a custom one. */
const PROMPT_MAX_MS = 10_000;

export async function humanCheck(plan: CheckPlan, ctx: CarryOutContext): Promise<void> {
  const { announcer } = ctx.deps;
  const settings = ctx.check.settings;
  let session: MediaSession | null = null;
  let problem = 'media is off';
  if (announcer !== null && settings !== null) {
    try {
      const opened = await announcer.openSession(ctx.req.body);
      if (opened.ok) session = opened.session;
      else problem = opened.problem;
    } catch (err) {
      ctx.log().error({ err }, 'the check could not open its media');
      problem = 'media error';
    }
  }
  if (session === null || settings === null) {
    await forwardTagged(plan, ctx, problem);
    return;
  }
  const open = session;
  if (!ctx.call.moveTo('checking')) {
    open.close();
    ctx.check.counted('hung-up');
    ctx.settle(hungUpBeforeAnswer('cancelled before the check'));
    return;
  }

  ctx.call.onCancel(() => open.close());
  let dialog: Leg;
  try {
    dialog = (await ctx.req.srf.createUAS(ctx.req, ctx.res, { localSdp: open.answerSdp })) as unknown as Leg;
  } catch (err) {
    open.close();
    ctx.log().info({ err }, '200 OK for the check not delivered (the caller cancelled)');
    ctx.call.moveTo('cancelled');
    ctx.check.counted('hung-up');
    ctx.settle(hungUpBeforeAnswer('cancelled before the check'));
    return;
  }
  ctx.call.onCancel(null);
  try {
    await afterAnswer(plan, ctx, open, dialog, settings);
  } catch (err) {
    // A fault after our 200: the caller must never be left in a silent call.
    ctx.log().error({ err }, 'the check failed after the answer; hanging up');
    open.close();
    await dialog.destroy().catch(() => undefined);
    ctx.settle({
      outcome: 'failed',
      finalStatus: OK,
      playedMs: null,
      hungUpBy: 'crocetta',
      sent: 'check failed (internal error)',
    });
  } finally {
    ctx.call.moveTo('done');
  }
}

/** The check cannot run here (no port, too many at once, media off): forwarded with the tag, never refused. */
async function forwardTagged(plan: CheckPlan, ctx: CarryOutContext, problem: string): Promise<void> {
  ctx.log().info({ problem }, 'human check not possible; forwarding tagged instead');
  if (!ctx.call.moveTo('forwarding')) {
    ctx.settle({
      outcome: 'cancelled',
      finalStatus: CANCELLED,
      playedMs: null,
      hungUpBy: 'caller',
      sent: 'cancelled before the check',
    });
    return;
  }
  await ctx.forward(plan.fallbackHeaders);
  ctx.call.moveTo('done');
}

function hungUpBeforeAnswer(sent: string): CallOutcome {
  return {
    outcome: 'cancelled',
    finalStatus: CANCELLED,
    playedMs: null,
    hungUpBy: 'caller',
    sent,
    check: 'hung-up',
    checkMs: 0,
  };
}

async function afterAnswer(
  plan: CheckPlan,
  ctx: CarryOutContext,
  session: MediaSession,
  dialog: Leg,
  settings: CheckSettings,
): Promise<void> {
  const answeredAt = performance.now();
  ctx
    .log()
    .debug(
      { codec: session.offer.codec, port: session.port, rtpKeys: session.hearsKeysInRtp },
      'check: answered, prompting',
    );
  const heard = await listen(
    session,
    dialog,
    settings.prompt,
    (plan.waitSeconds ?? settings.waitSeconds) * 1000,
    ctx.log(),
  );
  const checkMs = Math.round(performance.now() - answeredAt);
  const check = resultOf(heard, settings.digit);
  ctx.check.counted(check);
  ctx
    .log()
    .info(
      { check, checkMs, key: heard.kind === 'key' ? heard.key : null, via: heard.kind === 'key' ? heard.via : null },
      'check done',
    );

  if (check === 'hung-up') {
    session.close();
    ctx.settle({
      outcome: 'answered',
      finalStatus: OK,
      playedMs: null,
      hungUpBy: 'caller',
      sent: 'check (caller hung up)',
      check,
      checkMs,
    });
    return;
  }
  if (check !== 'passed') {
    ctx.settle({ ...(await sayNo(session, dialog, ctx, check)), check, checkMs });
    return;
  }

  // Passed: on its way to the PBX, as a forward's row says until the PBX answers.
  ctx.settle({ outcome: 'forwarded', finalStatus: null, playedMs: null, hungUpBy: null, sent: null, check, checkMs });
  const bridged = await connectToPbx({
    srf: ctx.req.srf,
    req: ctx.req,
    caller: dialog,
    origin: { sessionId: session.sessionId, address: ctx.deps.mediaAddress, version: 1 },
    target: ctx.check.pbxTarget(),
    headers: plan.headers,
    log: ctx.log(),
    ackTimeoutMs: settings.ackTimeoutMs,
    onEnd: (talkMs) => ctx.check.talked(talkMs),
  });
  // The caller's RTP goes to the PBX now (or the call is over): our port is free.
  session.close();
  ctx.settle({ ...bridged, playedMs: null });
}

function resultOf(heard: Heard, digit: string): CheckResult {
  if (heard.kind === 'hung-up') return 'hung-up';
  if (heard.kind === 'timeout') return 'no-digit';
  return heard.key === digit ? 'passed' : 'wrong-digit';
}

/** The prompt, then the wait; the first key (RTP or INFO), the end of the wait or the caller's BYE ends it. */
function listen(session: MediaSession, dialog: Leg, prompt: Recording, waitMs: number, log: Logger): Promise<Heard> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (heard: Heard): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      dialog.removeAllListeners('info');
      session.stopPlaying('caller');
      resolve(heard);
    };
    session.listenKeys((key) => finish({ kind: 'key', key, via: 'rtp' }));
    dialog.on('info', (req, res) => {
      const key = keyOfInfo(req.get('Content-Type'), req.body);
      res.send(OK);
      if (key !== null) finish({ kind: 'key', key, via: 'info' });
      else log.debug({ contentType: req.get('Content-Type') }, 'check: INFO without a key ignored');
    });
    dialog.on('destroy', () => finish({ kind: 'hung-up' }));
    void session.play(prompt, PROMPT_MAX_MS).then(() => {
      if (!settled) timer = setTimeout(() => finish({ kind: 'timeout' }), waitMs);
    });
  });
}

/** No key or the wrong one: the recorded NO, then BYE at once (unless the caller hung up meanwhile). */
async function sayNo(
  session: MediaSession,
  dialog: Leg,
  ctx: CarryOutContext,
  check: CheckResult,
): Promise<CallOutcome> {
  let callerHungUp = false;
  dialog.removeAllListeners('destroy');
  dialog.on('destroy', () => {
    callerHungUp = true;
    session.stopPlaying('caller');
  });
  const no = ctx.deps.catalog?.pick(ctx.choice);
  const played = no ? await session.play(no, ctx.check.settings?.maxNoMs ?? no.seconds * 1000) : { playedMs: 0 };
  session.close();
  if (!callerHungUp) {
    await dialog.destroy().catch((err: unknown) => ctx.log().warn({ err }, 'BYE after the check not delivered'));
  }
  return {
    outcome: 'rejected',
    finalStatus: OK,
    playedMs: played.playedMs,
    hungUpBy: callerHungUp ? 'caller' : 'crocetta',
    sent: `check ${check}: NO${callerHungUp ? ' (caller hung up)' : ', BYE'}`,
  };
}
