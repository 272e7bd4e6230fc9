/**
 * Carrying out a plan: one executor per kind of SipPlan, each reporting how the request ended through `settle`
 * (once). A new kind of answer is a new entry in EXECUTORS; the compiler refuses the table until it has one.
 */
import type { CallOutcome } from './call-plan.js';
import { humanCheck, type CheckDeps } from './human-check.js';
import { announce, hangUp, refuse, ring, type ActContext } from './refuse-call.js';
import { CANCELLED, type SipPlan } from './verdict-to-sip.js';

export interface CarryOutContext extends ActContext {
  /** Proxies (or redirects) the request to the PBX with these headers; resolves once the forward ended. */
  forward(headers: Record<string, string>): Promise<void>;
  /**
   * Records how the request ended (the register, the log); the human check also tells its result as soon as it is
   * known, before the call ends.
   */
  settle(done: CallOutcome): void;
  /** The human check's settings, where a caller who passed goes, its counter. */
  check: CheckDeps;
}

type Executor<P extends SipPlan> = (plan: P, ctx: CarryOutContext) => Promise<void>;
type Executors = { [K in SipPlan['kind']]: Executor<Extract<SipPlan, { kind: K }>> };

/** An executor that rings first (plan.ringMs), then stops the call with `act` and settles with what it did. */
function afterRinging<P extends SipPlan & { ringMs: number }>(
  act: (plan: P, ctx: CarryOutContext) => Promise<CallOutcome>,
): Executor<P> {
  return async (plan, ctx) => {
    if (plan.ringMs > 0 && !(await ring(plan.ringMs, ctx))) {
      ctx.settle({
        outcome: 'cancelled',
        finalStatus: CANCELLED,
        playedMs: null,
        hungUpBy: 'caller',
        sent: 'cancelled while ringing',
      });
      return;
    }
    ctx.settle(await act(plan, ctx));
  };
}

const EXECUTORS: Executors = {
  forward: async (plan, ctx) => {
    ctx.call.moveTo('forwarding');
    await ctx.forward(plan.headers);
    ctx.call.moveTo('done');
  },
  refuse: afterRinging((plan, ctx) => refuse(plan.refusal, ctx, `reject ${plan.refusal.status}`)),
  announce: afterRinging(announce),
  hangup: afterRinging((plan, ctx) => hangUp(plan.fallback, ctx)),
  check: humanCheck,
};

/** Sends what the plan says; resolves once the request ended (the outcome went to ctx.settle). */
export function carryOut(plan: SipPlan, ctx: CarryOutContext): Promise<void> {
  const execute = EXECUTORS[plan.kind] as Executor<SipPlan>;
  return execute(plan, ctx);
}
