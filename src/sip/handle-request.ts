import type Srf from 'drachtio-srf';
import { infoLine, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { formatAction, markCategory, type Action } from '../screening/policy.js';
import type { Clock } from '../screening/types.js';
import type { AfterAnswer } from './after-answer.js';
import type { AttemptKind, AttemptOutcome, NewAttempt, Register } from '../store/register/types.js';
import { attemptOf, type RequestFacts } from './attempt.js';
import { asRecorded, failOpenPlan, planCall, refusesCaller, type CallOutcome, type CallPlan } from './call-plan.js';
import { CallLifecycle } from './call-state.js';
import { carryOut } from './carry-out.js';
import { forwardToPbx, pbxDestination, type ForwardSettings } from './forward-call.js';
import type { ForwardReaper } from './forward-reaper.js';
import { describeUser, forwardTarget, type ForwardTarget } from './forward-target.js';
import type { ForwardedCalls } from './forwarded-calls.js';
import type { CheckSettings } from './human-check.js';
import type { Reject608Contact } from './jcard.js';
import { isOutbound, passOutbound, type OutboundSettings } from './outbound.js';
import { refusedFromPbx } from './pbx-registrar.js';
import type { RefusalDeps } from './refuse-call.js';
import { headerSource, type RequestHeaders } from './request-headers.js';
import { memoScreening, screen, screenToAnswer, type Screening, type ScreeningSteps } from './screen.js';
import { asProxyable, type SrfRequest } from './srf-augment.js';
import { sendAnswer } from './srf-internals.js';
import {
  answerCopy,
  observeAnswers,
  observeCancel,
  observeFinalAnswer,
  transactionCallId,
  transactionKey,
  type RecentTransactions,
} from './transactions.js';
import { refusedStranger, sharesUserNames, toItsLine, trunkForwardUser, type TrunkInbound } from './trunk-inbound.js';
import { CANCELLED, marksRefusals, RefusalMark, refusalFor, type Refusal, type TagSettings } from './verdict-to-sip.js';
import type { FrontMemo } from './front-memo.js';
import { screenedValuesKey } from '../callerid/index.js';

export type { ForwardSettings } from './forward-call.js';

export interface HandlerDeps {
  steps: ScreeningSteps;
  register: Register;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  forward: ForwardSettings;
  tag: TagSettings;
  /**
   * Mark every refusal crocetta sends itself (sip.markRefusals; REFUSAL_MARK in verdict-to-sip.ts); off, only those of
   * a request the front asked it for (FRONT_ASKS_MARK).
   */
  markRefusals: boolean;
  /** How long to wait for the attempt's commit before acting (ms), when the attempts journal did not take it. */
  commitWaitMs: number;
  /**
   * Act once the attempt is durable: journaled (at once) or else committed (at most commitWaitMs); false: act at
   * once, record right after.
   */
  durableBeforeAnswer: boolean;
  storeMessageText: boolean;
  /** Refusals, announcements and hang-ups (action-deps.ts; announcer null: announcements become 607). */
  actions: ActionDeps;
  /** Forwarded calls followed through drachtio-server's CDRs (cancel while ringing, talk time). */
  forwarded: ForwardedCalls;
  /** The PBX's outbound calls through crocetta (pbx.outbound); no trunk URI: every INVITE is screened. */
  outbound: OutboundSettings;
  /** Calls the registration trunk sends to our registered contact (trunk.*); absent: registration is off. */
  trunk?: TrunkInbound;
  /** Counts calls answered 480 because no PBX is registered (pbx.uri empty). */
  noPbx?: { inc(): void };
  /** The PBX registered to crocetta (proxy mode): INVITEs from its address are its outbound calls, never screened. */
  registeredPbx?: { isPbxAddress(address: string): boolean };
  /** Ends forwards drachtio never reported on within pbx.finalTimeout. */
  reaper: ForwardReaper;
  /** Recent transactions, so a retransmission is not a second call. */
  transactions: RecentTransactions;
  /** Work after the answer (the decision line; answering first, the attempt's record), run once the loop has slept. */
  afterAnswer: AfterAnswer;
  /**
   * The verdict memo's front (front-memo.ts; answering first with store.verdictMemo): a settled refusal found from
   * the request's values is sent before anything else is done, the rest after it. Absent: every request goes the
   * whole way before its answer.
   */
  front?: FrontMemo;
}

export interface ActionDeps extends RefusalDeps {
  ringDelayMs: number;
  reject608: Reject608Contact;
  /** The human check's prompt, key and wait (action-deps.ts); null: `check` forwards tagged (no media). */
  check: CheckSettings | null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The request's facts for its attempt row (attempt.ts), read when the attempt is built. */
function factsOf(req: SrfRequest, headers: RequestHeaders, kind: AttemptKind, time: number): RequestFacts {
  const ua = headers.get('user-agent') as string | undefined;
  const callId = headers.get('call-id') as string | undefined;
  return {
    kind,
    time,
    callId: callId ?? '',
    sourceAddress: req.source_address ?? null,
    userAgent: ua ?? null,
    messageText: kind === 'message' ? (req.body ?? '') : null,
  };
}

/**
 * One screened request (INVITE or MESSAGE), one way through: identify and classify (screen.ts) → plan (call-plan.ts:
 * what to send, what the register row says) → register the attempt → carry out (carry-out.ts) → record the outcome.
 * The returned function is what drachtio-srf calls; it observes the final answer before anything can send one, attaches
 * the CANCEL listener before it returns (a CANCEL comes on a later read), and always answers: any fault forwards the
 * request to the PBX (fail open).
 */
export function createRequestHandler(kind: AttemptKind, deps: HandlerDeps) {
  return (rawReq: Srf.SrfRequest, res: Srf.SrfResponse): void => {
    const req = asProxyable(rawReq);
    // A carrier's call to a user name two carriers' lines share: addressed to the line it came on (trunk-inbound.ts).
    // Never the PBX's own calls out: their Request-URI is the number dialled.
    if (sharesUserNames(deps.trunk) && !isOutbound(deps.outbound, req)) toItsLine(deps.trunk, req, deps.logger);
    // Every header read before the answer goes through one table (request-headers.ts), not drachtio-srf's req.get.
    const received = headerSource(req);
    // Answering first, a refusal the verdict memo settled for these values goes first; the rest follows it. An empty
    // front (frontRefusal's first check) is not asked: no call, no clock read before the request's own way.
    const front = deps.front;
    if (
      kind === 'call' &&
      front !== undefined &&
      front.size > 0 &&
      answeredAtFront(kind, deps, front, req, received, res)
    )
      return;
    // A retransmission drachtio-server handed over as a new request is not a second call (transactions.ts). A request
    // whose Call-ID no transaction has is none: its transaction is filed once its answer went (below).
    const seen = deps.transactions.enter(received);
    if (seen.copy) {
      void answerCopy(kind, seen, req, res, deps);
      return;
    }
    const call = new CallLifecycle();
    const observed = observeAnswers(req, res, seen);
    try {
      takeRequest(kind, deps, req, received, res, call);
    } finally {
      // After the request's synchronous way (its answer handed to drachtio-srf: answering first, or durable first
      // with the attempt journaled at once), before the loop
      // reads again: the transaction filed, and one 'cancel' listener for both: the transaction's final answer (487)
      // first, then the call's state.
      deps.transactions.file(seen, received);
      observeCancel(req, observed, call);
    }
  };
}

/** A request, no copy, from its entry's checks (outbound, from the PBX, a carrier's stranger) to `handle`. */
function takeRequest(
  kind: AttemptKind,
  deps: HandlerDeps,
  req: SrfRequest,
  received: RequestHeaders,
  res: Srf.SrfResponse,
  call: CallLifecycle,
): void {
  const started = performance.now();

  if (kind === 'call' && isOutbound(deps.outbound, req)) {
    passOutbound(req, res, deps).catch((err: unknown) => deps.logger.error({ err }, 'outbound call failed'));
    return;
  }
  // Read by the first refusal that carries the mark (RefusalMark): a forward never reads the headers it depends on.
  const mark = new RefusalMark(received, deps.markRefusals);
  if (kind === 'call' && refusedFromPbx(deps.registeredPbx, req, res, deps.logger, mark)) return;
  if (refusedStranger(deps.trunk, req, res, deps.logger, deps.clock, mark)) return;

  handle(kind, deps, req, received, mark, res, call, started, null).catch((err: unknown) => {
    // Last resort: something outside the guarded steps failed. Forward if nothing was sent yet.
    deps.metrics.failOpen.inc({ stage: 'handler' });
    deps.logger.error({ err, callId: req.get('Call-ID') }, 'request handler failed; forwarding the request');
    if (!res.finalResponseSent && call.state === 'screening' && call.moveTo('forwarding')) {
      const user = forwardUser(forwardTarget(req.uri ?? '', null, req.receivedOn, trunkForwardUser(deps.trunk, req)));
      void forwardToPbx(deps, {
        kind,
        req,
        res,
        callId: (req.get('Call-ID') as string | undefined) ?? '',
        user,
        headers: {},
        marked: mark,
        log: () => deps.logger,
        recorded: () => null,
        onEnd: null,
      }).catch((e: unknown) => deps.logger.error({ err: e }, 'fail-open forward failed too'));
    }
  });
}

async function handle(
  kind: AttemptKind,
  deps: HandlerDeps,
  req: SrfRequest,
  received: RequestHeaders,
  /** Its refusals carry crocetta's mark (marksRefusals; a RefusalMark is read by the first refusal only). */
  mark: boolean | RefusalMark,
  res: Srf.SrfResponse,
  call: CallLifecycle,
  started: number,
  /** The front's answer already sent (answeredAtFront): its screening and time. */
  front: AtFront | null,
): Promise<void> {
  // 1-2. identify and classify (pure, fail open: a fault gives the verdict unknown and the action allow).
  const now = front?.now ?? deps.clock.now();
  // The Call-ID (the forward's key for its CDRs, the call's log bindings); the rest of the request's facts (its source
  // address, a getter of drachtio-srf's, and User-Agent) only the register's row reads: read when the attempt is built
  // (answering first, after the answer).
  const callId = (received.get('call-id') as string | undefined) ?? '';
  // Answering first, a caller marked nuisance whose action is a refusal has its action chosen before its reasons
  // are built (screenToAnswer): they are built after the answer (whole(), below), before anything reads them.
  let screening =
    front?.screening ??
    (deps.durableBeforeAnswer
      ? screen(received, deps.steps, now, kind === 'message')
      : screenToAnswer(received, deps.steps, now, kind === 'message'));
  const { actions } = deps;
  // The call's logger (pino's child, whose bindings are serialized when it is made) is made at its first line: for a
  // call that goes as planned, that is the decision line, written once the answer has left (writeDecision).
  const { identity, called } = screening;
  const log = lazyChild(deps.logger, callBindings(callId, kind, identity, called));
  if (screening.fault) {
    deps.metrics.failOpen.inc({ stage: screening.fault.stage });
    log().error(
      { err: screening.fault.error, stage: screening.fault.stage },
      'screening failed; forwarding unscreened (fail open)',
    );
  }

  // 3. plan: what to send and what the register row says, decided once.
  // A call to the registration trunk's contact goes to the PBX with the DID as user, not the account name.
  // Worked out at its first use only: a refusal's plan never reads it (planCall), so a refusal leaves without it.
  let forwardTo: ForwardTarget | null = null;
  const target = (): ForwardTarget =>
    (forwardTo ??= forwardTarget(req.uri ?? '', called, req.receivedOn, trunkForwardUser(deps.trunk, req)));
  // Where a forward goes, asked once with the plan (none: no PBX registered, 480), not again by the forward.
  const pbxNow = (t: ForwardTarget): string | null => pbxDestination(deps.forward, forwardUser(t));
  const planOf = (s: Screening): CallPlan =>
    planCall(
      {
        kind,
        screening: s,
        target,
        canAnnounce: actions.announcer !== null,
        offer: req.body ?? null,
        destination: pbxNow,
      },
      {
        tag: deps.tag,
        markRefusals: mark,
        ringDelayMs: actions.ringDelayMs,
        reject608: actions.reject608,
        forwardMode: deps.forward.mode,
      },
    );
  let planned = planOf(screening);
  /**
   * A provisional screening made whole: its decision (verdict, score, reasons) for the row and the decision line,
   * and the row's reasons, as planCall writes them from the whole screening (the decision's, and what the plan adds:
   * an unroutable forward's reason). The action, what is sent and the row's outcome stay the plan's: that is what
   * was carried out (the whole screening's action is the same, screen.test.ts; a fault or a difference is logged).
   */
  const whole = (): void => {
    const complete = screening.complete;
    if (complete === undefined) return;
    const done = complete();
    if (done.fault !== null || formatAction(done.action) !== formatAction(screening.action)) {
      log().error(
        { err: done.fault?.error, chosen: formatAction(screening.action), whole: formatAction(done.action) },
        'screening after the answer failed or chose otherwise; the action carried out stays',
      );
    }
    screening = done;
    planned = withReasons(planned, planOf(done).row.reasons);
  };
  if (planned.notPossible !== null) {
    log().info(
      { chosen: formatAction(screening.action), instead: formatAction(planned.action), problem: planned.notPossible },
      'action not possible for this request',
    );
  }
  // Said once: before the answer for a forward; for any other plan after it (or once the CANCEL is handled), where
  // the target is worked out for this line alone.
  let replacedTold = false;
  const tellReplaced = (): void => {
    if (replacedTold) return;
    replacedTold = true;
    const t = target();
    if (t.routable && t.replaced !== null) {
      log().warn(
        { received: describeUser(t.replaced), forwardedAs: t.user },
        'Request-URI user not forwarded as received',
      );
    }
  };
  if (planned.send.kind === 'forward') tellReplaced();

  // The row says what we are about to do, so a refusal is durable with the attempt itself; only a change
  // (the PBX's final answer, a CANCEL that beat our answer) is written afterwards, by `settle`.
  const attempt = (): NewAttempt =>
    attemptOf(factsOf(req, received, kind, now), screening, planned.row, { storeMessageText: deps.storeMessageText });
  // Durable first (the default): the attempt is journaled (a synchronous write, journal.ts) or, when the journal is
  // off, committed (at most commitWaitMs) before anything is sent. Answering first: nothing stands between the plan
  // and its answer; the attempt is built and handed to the register once the answer went to drachtio-server and the
  // loop has slept (~1 ms, after-answer.ts: a request read in between does not count it yet), and `recorded` follows
  // that write.
  const answerFirst = deps.durableBeforeAnswer ? null : later<number>();
  const registered = answerFirst
    ? { recorded: answerFirst.promise, storeFault: null }
    : registerAttempt(deps, attempt(), log);
  // Journaled (its line written before record() returned), the attempt is durable once registerAttempt returns: no
  // await, so the answer leaves in the handler's synchronous run, before the transaction's filing and the CANCEL
  // listener (createRequestHandler) and before drachtio-srf's code after the handler.
  const { recorded, storeFault } = registered instanceof Promise ? await registered : registered;
  // record()'s own promise once there is one (answering first: after the answer), so that an update given with it
  // before the attempt's commit joins the attempt's row (register.ts).
  const attemptNow = (): Promise<number> | null => answerFirst?.followed() ?? recorded;
  const settle = outcomeRecorder(deps, planned, attemptNow, log);

  if (call.state === 'cancelled') {
    tellReplaced();
    whole();
    answerFirst?.follow(recordAfterAnswer(deps, attempt(), log));
    deps.metrics.cancelledDuringScreening.inc();
    settle({ outcome: 'cancelled', finalStatus: CANCELLED, playedMs: null, hungUpBy: null, sent: null });
    writeDecision(log, kind, screening, planned.action, 'cancelled before the answer', secondsSince(started), deps);
    return;
  }
  // The register failed before we acted: fail open, forward the call and say so.
  const registerFault = storeFault !== null && !screening.fault;
  if (registerFault) {
    deps.metrics.failOpen.inc({ stage: 'register' });
    log().error({ err: storeFault }, 'register failed; forwarding unscreened (fail open)');
  }
  const plan = registerFault ? failOpenPlan(planned) : planned;

  // 4. carry it out; 5. its outcome goes to `settle`. The decision is timed now (after the front's answer: the
  // front's time to it, not this replanning after it), its line written once the answer has been handed to
  // drachtio-srf (below).
  const seconds = front?.seconds ?? secondsSince(started);
  const forwarded = (outcome: AttemptOutcome, finalStatus: number | null): void =>
    settle({ outcome, finalStatus, playedMs: null, hungUpBy: null, sent: null });
  let carried: Promise<void>;
  try {
    carried = carryOut(plan.send, {
      req,
      res,
      call,
      log,
      deps: actions,
      choice: {
        verdict: screening.decision.verdict,
        withheld: screening.identity.withheld,
        category: markCategory(screening.decision),
      },
      settle,
      check: {
        settings: actions.check,
        pbxTarget: () => pbxNow(target()),
        counted: (result) => deps.metrics.checks.inc({ result }),
        talked: (talkMs) => recordTalk(deps, registerFault ? null : recorded, talkMs),
      },
      forward: (headers) =>
        forwardToPbx(deps, {
          kind,
          req,
          res,
          callId,
          user: forwardUser(target()),
          destination: plan.destination,
          headers,
          marked: mark,
          log,
          recorded: registerFault ? () => null : attemptNow,
          onEnd: registerFault ? null : forwarded,
        }),
    });
  } finally {
    // Journaled at once, the index learns the attempt now (indexLater): its answer handed over, still in the run that
    // recorded it, before any other request is read (the register would learn it first anyway, before any read).
    learnOwed(deps, log);
    // Once carryOut's synchronous part has handed the answer (a refusal's final, a forward's proxy, an announcement's
    // first step) to drachtio-srf, whatever carryOut did (a synchronous throw included, which the handler's fail-open
    // forward follows): answering first, the attempt is recorded, so that `recorded` always settles; and the decision
    // line and metrics are written. Both after the loop has slept (after-answer.ts: work in this turn or a
    // setImmediate held the CPU drachtio-server needed to send the answer on). After the front's answer, this whole
    // way already runs on that timer: at once then (one wake-up a call fewer).
    const afterwards = (): void => {
      tellReplaced();
      whole();
      answerFirst?.follow(recordAfterAnswer(deps, attempt(), log));
      writeDecision(log, kind, screening, plan.action, plan.sent, seconds, deps);
      if (deps.front !== undefined && front === null && plan.send.kind === 'refuse') {
        fileAtFront(kind, deps, deps.front, received, screening, now);
      }
    };
    if (front === null) deps.afterAnswer.run(afterwards);
    else deps.afterAnswer.runNow(afterwards);
  }
  await carried;
}

/** The front's refusal, found before its answer: the memo's screening it was chosen from, when, and the answer. */
interface FrontFound {
  screening: Screening;
  now: number;
  refusal: Refusal;
}

/** A refusal the front sent: what was found (its answer sent), and the front's time to that answer. */
interface AtFront extends Omit<FrontFound, 'refusal'> {
  /** The decision's time (crocetta_decision_seconds, the decision line's ms): the front's, to its send. */
  seconds: number;
}

/**
 * The front's refusal for a request, or null: the verdict memo holds a refusal sent at once (`reject`, no ringing)
 * for the identity and called number filed under the request's values (screenedValuesKey; fileAtFront); the request
 * would go the whole way to screening (no copy of a transaction remembered: no other request with its Call-ID; not an
 * outbound call, not from the registered PBX, no carrier-source check); and the refusal is what planCall makes of it
 * (planFor's refusalFor with the request's mark, marksRefusals: the answer's one header the request decides). A
 * request no entry is filed for costs its key and one look-up.
 */
function frontRefusal(
  deps: HandlerDeps,
  front: FrontMemo,
  req: SrfRequest,
  received: RequestHeaders,
): FrontFound | null {
  if (front.size === 0 || deps.actions.ringDelayMs > 0) return null;
  const entry = front.get(screenedValuesKey(received, deps.steps));
  if (entry === undefined) return null;
  if (deps.transactions.knowsCallId(transactionCallId(received))) return null;
  if (isOutbound(deps.outbound, req)) return null;
  const source = req.source_address;
  if (deps.registeredPbx !== undefined && typeof source === 'string' && deps.registeredPbx.isPbxAddress(source)) {
    return null;
  }
  if (deps.trunk !== undefined && deps.trunk.from.size > 0) return null;
  const mark = marksRefusals(received, deps.markRefusals);
  const now = deps.clock.now();
  const screening = memoScreening(entry.identity, entry.called, entry.callerKey, deps.steps, now);
  if (screening === null || screening.action.kind !== 'reject') return null;
  const refusal = refusalFor(screening.action.status, { markRefusals: mark, reject608: deps.actions.reject608 });
  return { screening, now, refusal };
}

/**
 * Sends the front's refusal when there is one (frontRefusal) and leaves the rest of the request's way for after
 * the answer, in today's order: the transaction check, the final answer's observer, the screening (the memo's, as
 * sent), the plan, the attempt's record, the decision line, metrics and the outcome (handle, against a response
 * whose send reports the front's delivery: sentAtFront). False (nothing sent) on a miss or any fault.
 */
function answeredAtFront(
  kind: AttemptKind,
  deps: HandlerDeps,
  front: FrontMemo,
  req: SrfRequest,
  received: RequestHeaders,
  res: Srf.SrfResponse,
): boolean {
  const started = performance.now();
  let found: FrontFound | null;
  try {
    found = frontRefusal(deps, front, req, received);
  } catch {
    return false;
  }
  if (found === null) return false;
  const { refusal } = found;
  const delivered = sendAnswer(res, refusal.status, refusal.reason, { headers: refusal.headers });
  delivered.catch(() => undefined); // refuse() says so, after the answer
  const took = performance.now() - started;
  const at: AtFront = { screening: found.screening, now: found.now, seconds: took / 1e3 };
  deps.afterAnswer.run(() => {
    const sent = sentAtFront(delivered);
    const seen = deps.transactions.see(transactionKey(received));
    if (seen.copy) {
      void answerCopy(kind, seen, req, sent, deps);
      return;
    }
    const call = new CallLifecycle();
    observeFinalAnswer(req, sent, seen, call);
    const mark = marksRefusals(received, deps.markRefusals);
    handle(kind, deps, req, received, mark, sent, call, performance.now() - took, at).catch((err: unknown) => {
      deps.metrics.failOpen.inc({ stage: 'handler' });
      deps.logger.error({ err, callId: req.get('Call-ID') }, 'request handler failed after the front answer');
    });
  });
  return true;
}

/**
 * The response the rest of a front-answered request is carried out against: its final answer went (`delivered`),
 * so a send reports that delivery to its callback and sends nothing.
 */
function sentAtFront(delivered: Promise<void>): Srf.SrfResponse {
  const sent = {
    finalResponseSent: true,
    send(...args: unknown[]): void {
      const told = args.find((a): a is (err?: unknown) => void => typeof a === 'function');
      if (told !== undefined) delivered.then(() => told(), told);
    },
  };
  return sent as unknown as Srf.SrfResponse;
}

/**
 * Files a request's values at the front once the verdict memo holds the refusal it was sent (screening's identity
 * and called number, as the memo keeps them), so the next request with the same values finds it first.
 */
function fileAtFront(
  kind: AttemptKind,
  deps: HandlerDeps,
  front: FrontMemo,
  received: RequestHeaders,
  screening: Screening,
  now: number,
): void {
  const { identity, called, callerKey } = screening;
  if (kind !== 'call' || screening.fault !== null || callerKey === null) return;
  if (memoScreening(identity, called, callerKey, deps.steps, now) === null) return;
  front.set(screenedValuesKey(received, deps.steps), { identity, called, callerKey });
}

/**
 * Step 5: records how the request ended, where it differs from what the attempt row already says (a refusal
 * delivered as planned writes nothing more), and logs what an action did.
 */
function outcomeRecorder(
  deps: HandlerDeps,
  plan: CallPlan,
  recorded: () => Promise<number> | null,
  log: () => Logger,
): (done: CallOutcome) => void {
  return (done) => {
    if (asRecorded(plan.row, done)) return;
    if (done.sent !== null) {
      const line: Record<string, unknown> = {
        outcome: done.outcome,
        finalStatus: done.finalStatus,
        playedMs: done.playedMs,
        hungUpBy: done.hungUpBy,
        sent: done.sent,
      };
      if (done.check !== undefined) Object.assign(line, { check: done.check, checkMs: done.checkMs });
      log().info(line, 'action done');
    }
    const attempt = recorded();
    if (!attempt) return;
    const { outcome, finalStatus, playedMs, hungUpBy, check, checkMs } = done;
    const refused = refusesCaller(done, deps.forward.refusalCodes);
    const at = deps.clock.now();
    // With the attempt's promise: the register waits for its id if it must (a failed attempt is logged and counted).
    deps.register.updateOutcome(attempt, { outcome, finalStatus, refused, at, playedMs, hungUpBy, check, checkMs });
  };
}

/** The talk time of a call crocetta connected itself (a passed human check), as drachtio's CDRs give a forward's. */
function recordTalk(deps: HandlerDeps, recorded: Promise<number> | null, talkMs: number): void {
  const answeredAt = deps.clock.now() - talkMs;
  recorded
    ?.then((id) => deps.register.recordTalk(id, { talkMs, answeredAt }))
    .catch(() => undefined /* already logged and counted when it was written */);
}

/** `plan` with the row's reasons replaced (field by field: no object spread on the call's path). */
function withReasons(plan: CallPlan, reasons: CallPlan['row']['reasons']): CallPlan {
  const { action, send, row, sent, notPossible, destination } = plan;
  return {
    action,
    send,
    row: { action: row.action, reasons, outcome: row.outcome, finalStatus: row.finalStatus },
    sent,
    notPossible,
    destination,
  };
}

/** The user a forward puts in the PBX's URI: the vouched-for one, or (fail open, nothing to vouch for) none. */
function forwardUser(target: ForwardTarget): string | null {
  return target.routable ? target.user : null;
}

interface Registered {
  recorded: Promise<number> | null;
  storeFault: Error | null;
}

/**
 * Writes the attempt and waits until it is durable: journaled (journalNow: its line written, and onJournaled called,
 * before record() returns; the answer then leaves in the handler's synchronous run), or else committed, at most
 * `commitWaitMs`: the answer never waits on a slow disk, nor on a failing one (the register holds the attempt in its
 * spool and says so at once). A store fault seen before acting (the attempt is lost) is returned, so the call can be
 * forwarded (fail open).
 */
function registerAttempt(deps: HandlerDeps, attempt: NewAttempt, log: () => Logger): Registered | Promise<Registered> {
  let recorded: Promise<number>;
  let journaled = false;
  let spooled = false;
  let onSpooled = (): void => {
    spooled = true;
  };
  try {
    recorded = deps.register.record(attempt, {
      onSpooled: () => onSpooled(),
      onJournaled: () => (journaled = true),
      journalNow: true,
      indexLater: true,
    });
  } catch (err) {
    deps.metrics.registerErrors.inc();
    return { recorded: null, storeFault: toError(err) };
  }
  recorded.catch((err: unknown) => {
    deps.metrics.registerErrors.inc();
    log().error({ err }, 'attempt could not be written to the register');
  });
  // Journaled (journalNow: its line written before record() returned): the answer leaves in this synchronous run.
  if (journaled) return { recorded, storeFault: null };
  // A register that journals in a microtask queued before record() returned calls onJournaled from it: one queued now
  // runs after it.
  return Promise.resolve().then(() => {
    if (journaled) return { recorded, storeFault: null };
    const held = spooled ? Promise.resolve(null) : new Promise<null>((resolve) => (onSpooled = () => resolve(null)));
    return Promise.race([recorded.then(() => null, toError), held, delay(deps.commitWaitMs).then(() => null)]).then(
      (storeFault) => ({ recorded, storeFault }),
    );
  });
}

/**
 * The index learns what the register owes it (registerAttempt's indexLater); a fault is logged and counted, the call
 * having been answered as decided.
 */
function learnOwed(deps: HandlerDeps, log: () => Logger): void {
  try {
    deps.register.indexOwed();
  } catch (err) {
    deps.metrics.registerErrors.inc();
    log().error({ err }, 'the index could not learn the attempt');
  }
}

/**
 * Answering first: the attempt, once the answer has left. The commit's trip to SQLite starts after this turn's I/O
 * (afterThisTurn); a failure is counted and logged, the call having been handled as decided.
 */
function recordAfterAnswer(deps: HandlerDeps, attempt: NewAttempt, log: () => Logger): Promise<number> {
  let recorded: Promise<number>;
  try {
    recorded = deps.register.record(attempt, { afterThisTurn: true });
  } catch (err) {
    recorded = Promise.reject(toError(err));
  }
  recorded.catch((err: unknown) => {
    deps.metrics.registerErrors.inc();
    log().error({ err }, 'attempt could not be written to the register');
  });
  return recorded;
}

/**
 * The call's bindings, made by a function of their own: a closure made inside `handle` would hold its whole scope
 * (V8 keeps one context per function for all its closures: the request, the response, the screening, the plan), and
 * the call's logger is held until the attempt's commit (register.ts: the attempt's callbacks and its promise's
 * rejection handler log with it), up to the writer's interval (50 ms) after the call was answered.
 */
function callBindings(
  callId: string,
  kind: AttemptKind,
  identity: Screening['identity'],
  called: Screening['called'],
): () => Record<string, unknown> {
  return () => ({
    callId,
    kind,
    caller: identity.number?.e164 ?? identity.number?.raw ?? null,
    called: called?.e164 ?? called?.raw ?? null,
  });
}

/**
 * The call's logger: `log()` is `parent.child(bindings())`, made at the first call and the same one after; the
 * bindings are made when a line needs them (not before the answer).
 */
interface CallLog {
  (): Logger;
  /**
   * An info line with the call's bindings: through the child once it exists, else through the parent with the
   * bindings in the line's object (the same JSON line, without making a child: pino serializes a child's bindings
   * when it is made, and most calls log only their decision). The line's object is made with Object.assign, not an
   * object spread: on Node 20 `{ ...bindings, ...fields }` took 15-45 µs for the decision line's 12 fields against
   * 0.3-0.5 µs (measured side by side, hot), the largest single cost in the decision line's making. The line is
   * serialized by log.ts' infoLine (the same JSON line as pino's, by one JSON.stringify of the object).
   */
  info(fields: Record<string, unknown>, msg: string): void;
}

function lazyChild(parent: Logger, bindings: () => Record<string, unknown>): CallLog {
  let child: Logger | null = null;
  const log = (() => (child ??= parent.child(bindings()))) as CallLog;
  log.info = (fields, msg) => {
    if (child !== null) child.info(fields, msg);
    else infoLine(parent, Object.assign(bindings(), fields), msg);
  };
  return log;
}

/** A promise settled later by another one (`follow`), once that one exists; `followed()`: that one, or null before. */
function later<T>(): { promise: Promise<T>; follow(p: Promise<T>): void; followed(): Promise<T> | null } {
  let follow: (p: Promise<T>) => void = () => undefined;
  let followed: Promise<T> | null = null;
  const promise = new Promise<T>((resolve, reject) => {
    follow = (p) => {
      followed = p;
      void p.then(resolve, reject);
    };
  });
  promise.catch(() => undefined); // a failed write is counted and logged where it is made
  return { promise, follow, followed: () => followed };
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Seconds since `started` (performance.now(): no BigInt made per call, as process.hrtime.bigint() makes two). */
function secondsSince(started: number): number {
  return (performance.now() - started) / 1e3;
}

/** The decision's line and metrics: written whatever happens to the call afterwards. */
function writeDecision(
  log: CallLog,
  kind: AttemptKind,
  screening: Screening,
  action: Action,
  sent: string,
  seconds: number,
  deps: HandlerDeps,
): void {
  deps.metrics.decisionSeconds.observe(seconds);
  deps.metrics.decisions.inc({ kind, verdict: screening.decision.verdict, action: action.kind });
  log.info(
    {
      verdict: screening.decision.verdict,
      score: Number(screening.decision.score.toFixed(3)),
      reasons: screening.decision.reasons.map((r) => r.text),
      action: action.kind,
      sent,
      withheld: screening.identity.withheld,
      failOpen: screening.fault !== null,
      ms: Math.round(seconds * 1e4) / 10,
    },
    'decision',
  );
}
